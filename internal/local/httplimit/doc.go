// Package httplimit bounds what one client can cost the local platform's
// HTTP servers: time to send headers and a body, time to read a response,
// time idle between requests, and the number of open connections.
//
// http.Server's ReadTimeout and WriteTimeout do not fit servers with long
// polls: ReadTimeout stays armed after the body is read and, when it fires
// during a long handler, cancels the request's context (the server's
// background read fails); WriteTimeout runs from the request, so it would
// cut a 20 s ReceiveMessage or a Runtime API /next waiting for an event.
// So the body timeout is armed by the handler wrapper only while a body is
// being read (and cleared at its end), and the write timeout starts at the
// response's first byte. Handlers bound their own waits (SQS's 20 s, an
// integration's timeout, a function's), as the services they emulate do.
//
// A connection over MaxConns is answered 503 at once and closed, rather
// than left waiting unseen in the kernel's backlog.
package httplimit
