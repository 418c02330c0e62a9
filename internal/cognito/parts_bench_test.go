package cognito

import (
	"encoding/base64"
	"strings"
	"testing"
)

func BenchmarkParts(b *testing.B) {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=","alg":"RS256"}`))
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"1b2c3d4e-0000-4000-8000-000000000001","cognito:groups":["writers"],"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1","version":2,"client_id":"testclient1234567890abcdef","origin_jti":"0f0e0d0c-0000-4000-8000-000000000002","token_use":"access","scope":"sqsgate/write sqsgate/read","auth_time":1795348740,"exp":1795352400,"iat":1795348740,"jti":"0a0b0c0d-0000-4000-8000-000000000003","username":"alice"}`))
	b.Run("split", func(b *testing.B) {
		tok := hdr + "." + payload + "." + strings.Repeat("A", 342)
		for range b.N {
			_, _ = split(tok)
		}
	})
	b.Run("header", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := parseHeader(hdr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("claims", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := parseClaims(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}
