package lenientquery

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	assert.Equal(t, map[string][]string{
		"a":       {"1", "2"},
		"b c":     {"d+e"},
		"bad%zz":  {"x"},
		"k":       {"%zz"},
		"novalue": {""},
	}, Parse("a=1&&a=2&b+c=d%2Be&bad%zz=x&k=%zz&novalue"))
	assert.Empty(t, Parse(""))
}
