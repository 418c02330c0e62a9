// Command client makes one HTTP request and prints what happened as JSON
// ({"uid", "status", "body", "error"}); peercredtest runs it as another
// user to show who the local platform lets in.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

type result struct {
	UID    int    `json:"uid"`
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error"`
}

func main() {
	method := flag.String("method", "GET", "request method")
	url := flag.String("url", "", "request URL")
	body := flag.String("body", "", "request body")
	var headers headerFlag
	flag.Var(&headers, "header", "Name: value (repeatable)")
	flag.Parse()
	res := result{UID: os.Getuid()}
	req, err := http.NewRequest(*method, *url, strings.NewReader(*body))
	if err == nil {
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
		client := &http.Client{Timeout: 20 * time.Second}
		var resp *http.Response
		if resp, err = client.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			res.Status, res.Body = resp.StatusCode, string(b)
		}
	}
	if err != nil {
		res.Error = err.Error()
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

type headerFlag []string

func (h *headerFlag) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlag) Set(v string) error { *h = append(*h, v); return nil }
