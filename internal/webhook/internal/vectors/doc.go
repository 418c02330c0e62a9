// Package vectors loads the public webhook signature vectors shared by the
// project (../shared/testdata/webhook-vectors.json beside the repository),
// so the verifier tests read the file itself instead of copying values.
package vectors
