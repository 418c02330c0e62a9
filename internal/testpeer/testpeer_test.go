package testpeer

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStartMotoAnswers(t *testing.T) {
	moto := StartMoto(t)
	resp, err := http.Get(moto.URL + "/moto-api/")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
