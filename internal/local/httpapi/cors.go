package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// corsPolicy is a compiled CorsConfiguration. API Gateway answers
// preflights itself and sets CORS headers on every response to an allowed
// origin, replacing any the integration returned.
type corsPolicy struct {
	anyOrigin   bool
	origins     map[string]bool // lowercased
	anyMethod   bool
	methods     map[string]bool
	methodList  string
	anyHeader   bool
	headers     map[string]bool // lowercased
	headerList  string
	expose      string
	credentials bool
	maxAge      int
}

func compileCors(c Cors) (*corsPolicy, error) {
	p := &corsPolicy{origins: map[string]bool{}, methods: map[string]bool{}, headers: map[string]bool{}, credentials: c.AllowCredentials, maxAge: c.MaxAge}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			p.anyOrigin = true
			continue
		}
		p.origins[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	if p.anyOrigin && p.credentials {
		return nil, errors.New("AllowCredentials cannot be combined with AllowOrigins \"*\"")
	}
	methods := make([]string, 0, len(c.AllowMethods))
	for _, m := range c.AllowMethods {
		m = strings.ToUpper(m)
		if m == "*" {
			p.anyMethod = true
		}
		p.methods[m] = true
		methods = append(methods, m)
	}
	p.methodList = strings.Join(methods, ",")
	headers := make([]string, 0, len(c.AllowHeaders))
	for _, h := range c.AllowHeaders {
		if h == "*" {
			p.anyHeader = true
		}
		p.headers[strings.ToLower(h)] = true
		headers = append(headers, strings.ToLower(h))
	}
	p.headerList = strings.Join(headers, ",")
	p.expose = strings.ToLower(strings.Join(c.ExposeHeaders, ","))
	if c.MaxAge < -1 || c.MaxAge > 86400 {
		return nil, errors.New("MaxAge must be between -1 and 86400 seconds")
	}
	return p, nil
}

func (p *corsPolicy) originAllowed(origin string) bool {
	return p.anyOrigin || p.origins[strings.ToLower(origin)]
}

func (p *corsPolicy) allowOrigin(h http.Header, origin string) {
	if p.anyOrigin {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
	}
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// preflight sets the headers of API Gateway's answer to a preflight. A
// disallowed origin, method or header gets the 204 without CORS headers,
// so the browser refuses the actual request.
func (p *corsPolicy) preflight(h http.Header, origin, method, requestHeaders string) {
	if !p.originAllowed(origin) {
		return
	}
	if !p.anyMethod && !p.methods[strings.ToUpper(method)] {
		return
	}
	var asked []string
	for _, name := range strings.Split(requestHeaders, ",") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
			if !p.anyHeader && !p.headers[name] {
				return
			}
			asked = append(asked, name)
		}
	}
	p.allowOrigin(h, origin)
	if p.anyMethod {
		h.Set("Access-Control-Allow-Methods", strings.ToUpper(method))
	} else if p.methodList != "" {
		h.Set("Access-Control-Allow-Methods", p.methodList)
	}
	if p.anyHeader {
		if len(asked) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(asked, ","))
		}
	} else if p.headerList != "" {
		h.Set("Access-Control-Allow-Headers", p.headerList)
	}
	if p.maxAge != 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(p.maxAge))
	}
}

// actual sets the headers on a non-preflight response.
func (p *corsPolicy) actual(h http.Header, origin string) {
	if !p.originAllowed(origin) {
		return
	}
	p.allowOrigin(h, origin)
	if p.expose != "" {
		h.Set("Access-Control-Expose-Headers", p.expose)
	}
}
