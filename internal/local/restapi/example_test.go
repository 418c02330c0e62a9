package restapi_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/sqsgate/sqsgate/internal/local/restapi"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// A REST API with one mock method, served at the root as `sam local
// start-api` serves a stage; an unknown path gets REST's 403.
func ExampleNew() {
	api := &template.RestAPI{ID: "local", StageName: "live", Methods: []template.RestMethod{{
		Method: "GET", Path: "/health",
		Integration: template.RestIntegration{Type: "mock",
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
			Responses: []template.IntegrationResponse{{StatusCode: 200,
				ResponseTemplates: map[string]string{"application/json": `{"stage":"$context.stage"}`}}}},
	}}}
	srv, err := restapi.New(api, restapi.Options{Region: "us-east-1", AccountID: "000000000000"})
	if err != nil {
		panic(err)
	}
	for _, path := range []string{"/health", "/nope"} {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 {"stage":"live"}
	// 403 {"message":"Missing Authentication Token"}
}
