// ssespec adapter (conformance/ADAPTERS.md) for Go's github.com/donovanhide/eventsource, as
// Debian packages it (golang-github-donovanhide-eventsource-dev). Build without modules:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o go-donovanhide-adapter adapter.go
//
// The library has no EventSource object, so the adapter maps what its user can see:
//   - `open`: a response with status 200, the only one the library accepts (stream.go connect);
//     seen by the adapter's http.Client transport, which SubscribeWith lets a user supply,
//     because the library announces neither its first connection nor a reconnection.
//   - Subscribe failing is an `error` with readyState 2: the library does not retry it.
//   - every value on Stream.Events reaching a listener is a `message`; an empty type is
//     "message", and lastEventId is the event's own Id() (the library keeps no other).
//   - every value on Stream.Errors is an `error` with readyState 0: the stream keeps retrying.
//   - `close` is Stream.Close(); before Subscribe has returned there is no Stream yet, so it
//     cancels the request's context instead (the only way a user can give up then).
//
// Library panics (e.g. "send on closed channel" after Close) are left to crash the process, as
// they would crash the user's program.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/donovanhide/eventsource"
)

type adapter struct {
	stream     *eventsource.Stream
	cancel     context.CancelFunc
	closeKind  string
	closeCount int
	seen       map[string]int
	closed     bool
}

func (a *adapter) report(kind string, body interface{}) {
	line, _ := json.Marshal(map[string]interface{}{kind: body})
	os.Stdout.Write(append(line, '\n'))
	a.seen[kind]++
	if kind == a.closeKind && a.seen[kind] == a.closeCount {
		a.close()
	}
}

func (a *adapter) close() {
	if a.closed {
		return
	}
	a.closed = true
	if a.stream != nil {
		a.stream.Close()
	} else {
		a.cancel()
	}
	a.report("closed", map[string]int{"readyState": 2})
}

func parseCloseAfter(spec string) (string, int) {
	kind, count, found := strings.Cut(spec, ":")
	if !found {
		return "", 0
	}
	n, err := strconv.Atoi(count)
	if err != nil {
		return "", 0
	}
	return kind, n
}

func listenedTypes() map[string]bool {
	types := map[string]bool{"message": true, "open": true, "error": true}
	var listen []string
	if raw := os.Getenv("SSESPEC_LISTEN"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &listen); err != nil {
			fmt.Fprintln(os.Stderr, "SSESPEC_LISTEN is not a JSON array of strings:", err)
			os.Exit(2)
		}
	}
	for _, t := range listen {
		types[t] = true
	}
	return types
}

// Reads stdin commands: a `close` line sends true; end of input closes the channel.
func readCommands(commands chan<- bool) {
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		if strings.TrimSpace(scanner.Text()) == "close" {
			commands <- true
		}
	}
	close(commands)
}

// Sends true on `accepted` for every response with status 200, before the library reads its
// body, so `open` is reported before that connection's events.
type acceptWatcher struct {
	accepted chan<- bool
}

func (w acceptWatcher) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusOK {
		w.accepted <- true
	}
	return resp, err
}

type subscription struct {
	stream *eventsource.Stream
	err    error
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go-donovanhide-adapter URL")
		os.Exit(2)
	}
	url := os.Args[len(os.Args)-1]
	listen := listenedTypes()
	a := &adapter{seen: map[string]int{}}
	a.closeKind, a.closeCount = parseCloseAfter(os.Getenv("SSESPEC_CLOSE_AFTER"))

	commands := make(chan bool)
	go readCommands(commands)

	accepted := make(chan bool)
	subscribed := make(chan subscription, 1)
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad URL:", err)
		os.Exit(2)
	}
	go func() {
		client := &http.Client{Transport: acceptWatcher{accepted}}
		stream, err := eventsource.SubscribeWith("", client, req)
		subscribed <- subscription{stream, err}
	}()

	var events <-chan eventsource.Event
	var errors <-chan error
	for {
		select {
		case <-accepted:
			if !a.closed {
				a.report("open", struct{}{})
			}
		case s := <-subscribed:
			switch {
			case s.err != nil && !a.closed:
				fmt.Fprintln(os.Stderr, "Subscribe:", s.err)
				a.report("error", map[string]int{"readyState": 2})
			case s.err == nil && a.closed:
				s.stream.Close() // close() came while Subscribe was connecting
			case s.err == nil:
				a.stream = s.stream
				events, errors = s.stream.Events, s.stream.Errors
			}
		case ev := <-events:
			eventType := ev.Event()
			if eventType == "" {
				eventType = "message"
			}
			if listen[eventType] {
				a.report("message", map[string]string{"type": eventType, "data": ev.Data(), "lastEventId": ev.Id()})
			}
		case err := <-errors:
			fmt.Fprintln(os.Stderr, "Errors:", err)
			a.report("error", map[string]int{"readyState": 0})
		case command, open := <-commands:
			if !open {
				a.close()
				os.Exit(0)
			}
			if command {
				a.close()
			}
		}
		if a.closed {
			// Close() closed both channels: stop reading them (a closed channel never blocks).
			events, errors = nil, nil
		}
	}
}
