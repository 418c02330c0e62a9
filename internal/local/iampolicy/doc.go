// Package iampolicy reads the IAM policy a Lambda authorizer returns and
// decides, as API Gateway does, whether it lets a caller invoke one method
// ARN (arn:aws:execute-api:region:account:api/stage/METHOD/path): an
// explicit Deny wins, otherwise some Allow must match, with IAM's * and ?
// wildcards. Both local API emulators (httpapi, restapi) share it, so one
// cached policy is judged the same way whichever API form serves it.
package iampolicy
