package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRoutePathRejects(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{"no leading slash", "pets"},
		{"greedy not last", "/{proxy+}/x"},
		{"partial parameter", "/pets/id{id}"},
		{"empty parameter", "/pets/{}"},
		{"duplicate parameter", "/a/{id}/b/{id}"},
		{"empty segment", "/a//b"},
		{"bad parameter name", "/a/{x y}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRoutePath(tt.path)
			assert.ErrorIs(t, err, ErrBadRoutePath)
		})
	}
}

func TestRouteMatching(t *testing.T) {
	routes := []Route{
		lambdaRoute("GET", "/pets/dog/1", "exact"),
		lambdaRoute("GET", "/pets/dog/{id}", "param"),
		lambdaRoute("ANY", "/pets/dog/{id}", "anyParam"),
		lambdaRoute("GET", "/pets/{proxy+}", "petsGreedy"),
		lambdaRoute("ANY", "/{proxy+}", "rootGreedy"),
		lambdaRoute("POST", "/webhooks/github", "github"),
		lambdaRoute("GET", "/", "root"),
		lambdaRoute("GET", "/files/{dir}/{name}", "twoParams"),
	}
	tests := []struct {
		name       string
		method     string
		path       string
		wantKey    string
		wantParams map[string]string
	}{
		{"method mismatch falls to ANY greedy", "GET", "/webhooks/github", "ANY /{proxy+}", map[string]string{"proxy": "webhooks/github"}},
		{"exact beats param", "GET", "/pets/dog/1", "GET /pets/dog/1", nil},
		{"param beats greedy", "GET", "/pets/dog/2", "GET /pets/dog/{id}", map[string]string{"id": "2"}},
		{"exact method beats ANY", "GET", "/pets/dog/3", "GET /pets/dog/{id}", map[string]string{"id": "3"}},
		{"ANY when method differs", "DELETE", "/pets/dog/3", "ANY /pets/dog/{id}", map[string]string{"id": "3"}},
		{"longer literal prefix greedy wins", "GET", "/pets/cat/9/x", "GET /pets/{proxy+}", map[string]string{"proxy": "cat/9/x"}},
		{"root greedy", "PUT", "/anything/else", "ANY /{proxy+}", map[string]string{"proxy": "anything/else"}},
		{"exact post", "POST", "/webhooks/github", "POST /webhooks/github", nil},
		{"root", "GET", "/", "GET /", nil},
		{"decoded params", "GET", "/files/a%20b/c%2Fd", "GET /files/{dir}/{name}", map[string]string{"dir": "a b", "name": "c/d"}},
		{"trailing slash is another path", "GET", "/pets/dog/1/", "GET /pets/{proxy+}", map[string]string{"proxy": "dog/1/"}},
	}
	s := newTestServer(t, baseConfig(routes...), Options{Invoker: &fakeInvoker{}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, params := s.router.match(tt.method, tt.path)
			require.NotNil(t, rt)
			assert.Equal(t, tt.wantKey, rt.key)
			assert.Equal(t, tt.wantParams, params)
		})
	}

	t.Run("no match without $default", func(t *testing.T) {
		s := newTestServer(t, baseConfig(lambdaRoute("GET", "/a", "f")), Options{Invoker: &fakeInvoker{}})
		w := do(s, "GET", "/b", "")
		assert.Equal(t, http.StatusNotFound, w.Code)
		assert.JSONEq(t, `{"message":"Not Found"}`, w.Body.String())
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		rt, _ := s.router.match("POST", "/a")
		assert.Nil(t, rt)
	})
	t.Run("$default catches the rest", func(t *testing.T) {
		cfg := baseConfig(lambdaRoute("GET", "/a", "f"), Route{Path: "$default", Integration: Integration{Type: "lambda", Function: "d"}})
		s := newTestServer(t, cfg, Options{Invoker: &fakeInvoker{}})
		rt, params := s.router.match("POST", "/a")
		require.NotNil(t, rt)
		assert.Equal(t, "$default", rt.key)
		assert.Nil(t, params)
	})
}

func FuzzRouteMatch(f *testing.F) {
	for _, seed := range []string{"/pets/dog/1", "/", "//", "/a%2", "/pets/%zz/x", "/files/a/b/c", ""} {
		f.Add(seed)
	}
	routes := []Route{
		lambdaRoute("GET", "/pets/{id}", "a"),
		lambdaRoute("GET", "/pets/{proxy+}", "b"),
		lambdaRoute("GET", "/files/{dir}/{name}", "c"),
		lambdaRoute("ANY", "/{proxy+}", "d"),
	}
	var rt router
	for _, r := range routes {
		c, err := compileRoute(r, nil, Options{Invoker: &fakeInvoker{}})
		if err != nil {
			f.Fatal(err)
		}
		rt.routes = append(rt.routes, c)
	}
	f.Fuzz(func(t *testing.T, path string) {
		r, params := rt.match("GET", path)
		if r == nil {
			return
		}
		// Every parameter value must come from the request path.
		decoded := unescape(path)
		for name, v := range params {
			if v == "" {
				t.Fatalf("empty value for %s on %q", name, path)
			}
			if !strings.Contains(decoded, v) && !strings.Contains(path, v) && !strings.Contains(decodeSegments(path), v) {
				t.Fatalf("param %s=%q is not part of %q", name, v, path)
			}
		}
	})
}

func decodeSegments(p string) string {
	parts := strings.Split(p, "/")
	for i := range parts {
		parts[i] = unescape(parts[i])
	}
	return strings.Join(parts, "/")
}
