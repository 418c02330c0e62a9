//go:build tools

// Temporary: pins the chosen dependencies while packages are written in
// parallel. Removed once every one of them is imported for real.
package sqsgate

import (
	_ "github.com/PaddleHQ/paddle-go-sdk/v4"
	_ "github.com/aws/aws-lambda-go/events"
	_ "github.com/aws/aws-lambda-go/lambda"
	_ "github.com/aws/aws-lambda-go/lambdacontext"
	_ "github.com/aws/aws-sdk-go-v2/aws"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	_ "github.com/aws/aws-sdk-go-v2/service/sqs"
	_ "github.com/google/go-github/v84/github"
	_ "github.com/lestrrat-go/jwx/v2/jwk"
	_ "github.com/lestrrat-go/jwx/v2/jws"
	_ "github.com/lestrrat-go/jwx/v2/jwt"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/stretchr/testify/assert"
	_ "github.com/stretchr/testify/require"
	_ "go.etcd.io/bbolt"
	_ "gopkg.in/yaml.v3"
)
