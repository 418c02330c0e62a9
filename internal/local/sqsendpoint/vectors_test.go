package sqsendpoint

import (
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// md5Vector is one MD5OfMessageAttributes computed outside this project:
// by Amazon SQS itself or by moto (testdata/md5_attributes.py says which
// and how they were obtained).
type md5Vector struct {
	Name       string                    `json:"name"`
	Source     string                    `json:"source"`
	Attributes map[string]attributeValue `json:"attributes"`
	MD5        string                    `json:"md5"`
}

var (
	vectorsOnce sync.Once
	vectors     map[string]md5Vector
	vectorsErr  error
)

// md5Of returns the outside digest of the vector called name.
func md5Of(t testing.TB, name string) string {
	t.Helper()
	vectorsOnce.Do(func() {
		var file struct{ Vectors []md5Vector }
		b, err := os.ReadFile("testdata/md5_attributes.json")
		if err == nil {
			err = json.Unmarshal(b, &file)
		}
		vectorsErr = err
		vectors = map[string]md5Vector{}
		for _, v := range file.Vectors {
			vectors[v.Name] = v
		}
	})
	require.NoError(t, vectorsErr)
	v, ok := vectors[name]
	require.True(t, ok, "no vector %q in testdata/md5_attributes.json", name)
	return v.MD5
}

// TestMD5OfAttributesVectors: the endpoint's digest agrees with every
// digest AWS returned and moto computed (the endpoint uses sqsmsg's).
func TestMD5OfAttributesVectors(t *testing.T) {
	md5Of(t, "three strings")
	require.NotEmpty(t, vectors)
	for name, v := range vectors {
		t.Run(name+" ("+v.Source+")", func(t *testing.T) {
			attrs, err := toAttributes(v.Attributes)
			require.Nil(t, err)
			assert.Equal(t, v.MD5, sqsmsg.MD5OfAttributes(attrs))
		})
	}
}
