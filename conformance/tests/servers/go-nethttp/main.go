// A correct SSE endpoint on Go's net/http (standard library only): GET /events sends
// `id: n` + `data: tick n` every 100 ms, flushed, resuming after a numeric Last-Event-ID.
// Usage: go run main.go PORT [CERT KEY [WRITE_TIMEOUT]]   (0 picks a free port; prints "listening PORT")
// With CERT and KEY it serves TLS, where net/http offers HTTP/2 by ALPN (h2, then http/1.1);
// WRITE_TIMEOUT (a Go duration) sets http.Server.WriteTimeout, which ends each stream at that age.
// SSE_EXTRA_HEADER="Name: value" (optional) makes the handler also set that response field, as a
// user copying an HTTP/1.1 habit would (`Keep-Alive: timeout=5`, `Upgrade: h2c`); net/http sends
// it as set over both protocols (over h2, Go 1.19 drops only Connection and Transfer-Encoding).
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	if name, value, ok := strings.Cut(os.Getenv("SSE_EXTRA_HEADER"), ":"); ok {
		w.Header().Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	n, _ := strconv.Atoi(r.Header.Get("Last-Event-ID"))
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ticker.C:
			n++
			fmt.Fprintf(w, "id: %d\ndata: tick %d\n\n", n, n)
			flusher.Flush()
		}
	}
}

func main() {
	port := "0"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	listener, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port)
	http.HandleFunc("/events", events)
	if len(os.Args) > 3 {
		server := &http.Server{}
		if len(os.Args) > 4 {
			server.WriteTimeout, err = time.ParseDuration(os.Args[4])
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
		fmt.Fprintln(os.Stderr, server.ServeTLS(listener, os.Args[2], os.Args[3]))
		os.Exit(1)
	}
	http.Serve(listener, nil)
}
