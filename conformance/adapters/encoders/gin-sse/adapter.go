// gin-contrib/sse's Encode (Debian golang-github-gin-contrib-sse-dev) behind the encoder
// adapter protocol of conformance/ADAPTERS.md. Retry is a Go uint: a caller cannot pass a
// fraction, a negative number or a string, so those are answered as refused.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"

	"github.com/gin-contrib/sse"
)

func answer(out *bufio.Writer, v interface{}) {
	line, _ := json.Marshal(v)
	out.Write(append(line, '\n'))
	out.Flush()
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			answer(out, map[string]string{"error": err.Error()})
			continue
		}
		if _, ok := m["comment"]; ok {
			answer(out, map[string][]string{"unsupported": {"comment"}})
			continue
		}
		var event sse.Event
		var data *string
		json.Unmarshal(m["event"], &event.Event)
		json.Unmarshal(m["id"], &event.Id)
		if raw, ok := m["data"]; ok {
			json.Unmarshal(raw, &data)
			event.Data = *data
		}
		if raw, ok := m["retry"]; ok {
			if err := json.Unmarshal(raw, &event.Retry); err != nil {
				answer(out, map[string]string{"error": "retry is a uint in Go: " + err.Error()})
				continue
			}
		}
		var written bytes.Buffer
		if err := sse.Encode(&written, event); err != nil {
			answer(out, map[string]string{"error": err.Error()})
			continue
		}
		answer(out, map[string]string{"bytes_b64": base64.StdEncoding.EncodeToString(written.Bytes())})
	}
}
