package cognito

import (
	"encoding/json"
	"reflect"
	"testing"
)

// refHeader is the header as encoding/json reads it, the reference for
// scanHeader.
type refHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
	JKU  json.RawMessage `json:"jku"`
	JWK  json.RawMessage `json:"jwk"`
	X5U  json.RawMessage `json:"x5u"`
	X5C  json.RawMessage `json:"x5c"`
	B64  json.RawMessage `json:"b64"`
}

var scanSeeds = []string{
	`{"kid":"k1","alg":"RS256"}`,
	`{"alg":"RS256","kid":"k1","jku":"https://evil.example/jwks"}`,
	`{"alg":"RS256","kid":"k\u00e9","crit":["exp"],"exp":1}`,
	`{"sub":"s","cognito:groups":["a","b"],"iss":"https://x/y","version":2,"client_id":"c","origin_jti":"o","token_use":"access","scope":"a/b c/d","auth_time":1795348740,"exp":1795352400,"iat":1.5e9,"jti":"j","username":"u"}`,
	`{"aud":"c","cognito:username":"u","email":"e@x","email_verified":true,"nested":{"a":[1,{"b":null}]},"exp":-0.5e-3}`,
	`{"aud":["c","d"],"ISS":"x"}`,
	`{"iss":"a","iss":"b"}`,
	`{"alg":"RS256","\u0061lg":"none","kid":"k","\u006Aku":"u"}`,
	`{"iss":"\ud800"}`,
	"{\"iss\":\"\xff\"}",
	` { "exp" : 1E+2 } `,
	`{"exp":01}`,
	`{"exp":1e999}`,
	`{}`,
	`[]`,
	`{"a":}`,
}

// FuzzScanClaims: whatever scanClaims accepts, encoding/json accepts too
// and decodes to the same claims.
//
//	go test -run '^$' -fuzz FuzzScanClaims -fuzztime 15s ./internal/cognito/
func FuzzScanClaims(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got claimSet
		if scanClaims(b, &got) != nil {
			return
		}
		var want claimSet
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("scanClaims accepted what encoding/json refuses (%v): %q", err, b)
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("scanClaims = %+v, encoding/json = %+v for %q", got, want, b)
		}
	})
}

// normalize treats an empty and a nil list alike.
func normalize(c claimSet) claimSet {
	if len(c.Groups) == 0 {
		c.Groups = nil
	}
	if len(c.Audience) == 0 {
		c.Audience = nil
	}
	return c
}

// FuzzScanHeader: whatever scanHeader accepts, encoding/json accepts too,
// with the same alg and kid, and a refused parameter is reported exactly
// when encoding/json sees one.
//
//	go test -run '^$' -fuzz FuzzScanHeader -fuzztime 15s ./internal/cognito/
func FuzzScanHeader(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got header
		refused, err := scanHeader(b, &got)
		if err != nil {
			return
		}
		var want refHeader
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("scanHeader accepted what encoding/json refuses (%v): %q", err, b)
		}
		if got.Alg != want.Alg || got.Kid != want.Kid {
			t.Fatalf("scanHeader = %+v, encoding/json = %+v for %q", got, want, b)
		}
		sawRefused := want.Crit != nil || want.JKU != nil || want.JWK != nil || want.X5U != nil || want.X5C != nil || want.B64 != nil
		if (refused != "") != sawRefused {
			t.Fatalf("refused %q, encoding/json saw a refused parameter: %v, for %q", refused, sawRefused, b)
		}
	})
}

func TestScanRefusesWhatIsAmbiguous(t *testing.T) {
	tests := []struct{ name, in string }{
		{"duplicate claim", `{"iss":"a","iss":"b"}`},
		{"duplicate claim by escaped name", `{"iss":"a","\u0069ss":"b"}`},
		{"escaped claim name in another case", `{"\u0049SS":"a"}`},
		{"claim name in another case", `{"ISS":"a"}`},
		{"claim name by Unicode folding", "{\"\u017fub\":\"a\"}"}, // ſub folds to sub
		{"null claim", `{"iss":null}`},
		{"wrong type", `{"exp":"1"}`},
		{"leading zero", `{"exp":01}`},
		{"number out of range", `{"exp":1e999}`},
		{"trailing data", `{"iss":"a"}x`},
		{"control character", "{\"iss\":\"a\x01\"}"},
		{"deep nesting", `{"x":` + deep(maxDepth+2) + `}`},
		{"not an object", `["iss"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs claimSet
			if err := scanClaims([]byte(tt.in), &cs); err == nil {
				t.Fatalf("scanClaims accepted %q as %+v", tt.in, cs)
			}
		})
	}
}

func deep(n int) string {
	s := ""
	for range n {
		s += "["
	}
	for range n {
		s += "]"
	}
	return s
}

// TestScanHeaderRefusesWhatIsAmbiguous: a header that encoding/json (or
// another JOSE library) could read as naming another algorithm or key, or
// as carrying a refused parameter, is never accepted as a clean header.
func TestScanHeaderRefusesWhatIsAmbiguous(t *testing.T) {
	tests := []struct{ name, in string }{
		{"duplicate alg", `{"alg":"none","alg":"RS256","kid":"k"}`},
		{"duplicate alg by escaped name", `{"alg":"RS256","\u0061lg":"none","kid":"k"}`},
		{"alg in another case", `{"alg":"RS256","ALG":"none","kid":"k"}`},
		{"duplicate kid", `{"alg":"RS256","kid":"k","kid":"other"}`},
		{"refused parameter in another case", `{"alg":"RS256","kid":"k","JKU":"https://evil.example/jwks"}`},
		{"refused parameter by escaped name", `{"alg":"RS256","kid":"k","\u006aku":"https://evil.example/jwks"}`},
		{"refused parameter set to null", `{"alg":"RS256","kid":"k","jwk":null}`},
		{"null alg", `{"alg":null,"kid":"k"}`},
		{"alg not a string", `{"alg":["RS256"],"kid":"k"}`},
		{"trailing data", `{"alg":"RS256","kid":"k"}{"alg":"none"}`},
		{"deep nesting", `{"alg":"RS256","kid":"k","x":` + deep(maxDepth+2) + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h header
			refused, err := scanHeader([]byte(tt.in), &h)
			if err == nil && refused == "" {
				t.Fatalf("scanHeader accepted %q as %+v", tt.in, h)
			}
		})
	}
}
