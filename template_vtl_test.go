package sqsgate_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// The REST form's mapping templates rendered by Apache Velocity 1.7, the
// engine whose language API Gateway's mapping templates are ("Mapping
// template reference", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html),
// through a small Java harness that stands in for $input, $util and
// $context. The peer is Debian's velocity package (.ci/run installs it).

const velocityJars = "/usr/share/java/velocity.jar:/usr/share/java/commons-collections3.jar:/usr/share/java/commons-lang.jar"

// velocityHarness renders each case read from stdin (a JSON array of
// {template, body, context}) and prints one base64 line per case.
// $input.path('$') is the parsed body, $input.json('$.A.B') the JSON text
// of a dotted path, $util.urlEncode is application/x-www-form-urlencoded.
const velocityHarness = `
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class Harness {
  public static class Input {
    final Object root; final String body;
    Input(String body) { this.body = body; this.root = new Json(body).value(); }
    public Object path(String p) { return at(p); }
    public String json(String p) { return Json.write(at(p)); }
    public String getBody() { return body; }
    Object at(String p) {
      Object v = root;
      if (p.equals("$")) return v;
      for (String k : p.substring(2).split("\\.")) v = v instanceof Map ? ((Map<?, ?>) v).get(k) : null;
      return v;
    }
  }
  public static class Util {
    public String urlEncode(String s) throws Exception { return java.net.URLEncoder.encode(s, "UTF-8"); }
  }
  static class Json {
    final String s; int i;
    Json(String s) { this.s = s; }
    Object value() {
      ws(); char c = s.charAt(i);
      if (c == '{') { i++; Map<String, Object> m = new LinkedHashMap<>(); ws();
        if (s.charAt(i) == '}') { i++; return m; }
        while (true) { ws(); String k = str(); ws(); i++; m.put(k, value()); ws(); if (s.charAt(i++) == '}') return m; } }
      if (c == '[') { i++; List<Object> l = new ArrayList<>(); ws();
        if (s.charAt(i) == ']') { i++; return l; }
        while (true) { l.add(value()); ws(); if (s.charAt(i++) == ']') return l; } }
      if (c == '"') return str();
      if (s.startsWith("true", i)) { i += 4; return true; }
      if (s.startsWith("false", i)) { i += 5; return false; }
      if (s.startsWith("null", i)) { i += 4; return null; }
      int j = i; while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
      return new java.math.BigDecimal(s.substring(j, i));
    }
    void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
    String str() {
      StringBuilder b = new StringBuilder(); i++;
      while (true) { char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c != '\\') { b.append(c); continue; }
        char e = s.charAt(i++);
        switch (e) {
          case 'n': b.append('\n'); break; case 't': b.append('\t'); break; case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break; case 'f': b.append('\f'); break;
          case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
          default: b.append(e);
        } }
    }
    static String write(Object v) {
      if (v == null) return "null";
      if (v instanceof String) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : ((String) v).toCharArray()) {
          if (c == '"' || c == '\\') b.append('\\').append(c);
          else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
        return b.append('"').toString();
      }
      if (v instanceof Map) { StringJoiner j = new StringJoiner(",", "{", "}");
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) j.add(write(e.getKey()) + ":" + write(e.getValue())); return j.toString(); }
      if (v instanceof List) { StringJoiner j = new StringJoiner(",", "[", "]");
        for (Object o : (List<?>) v) j.add(write(o)); return j.toString(); }
      return v.toString();
    }
  }
  public static void main(String[] args) throws Exception {
    String in = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    VelocityEngine ve = new VelocityEngine(); ve.init();
    for (Object o : (List<?>) new Json(in).value()) {
      Map<?, ?> c = (Map<?, ?>) o;
      VelocityContext vc = new VelocityContext();
      vc.put("input", new Input((String) c.get("body")));
      vc.put("util", new Util());
      vc.put("context", c.get("context"));
      StringWriter w = new StringWriter();
      ve.evaluate(vc, w, "template", (String) c.get("template"));
      System.out.println(Base64.getEncoder().encodeToString(w.toString().getBytes(StandardCharsets.UTF_8)));
    }
  }
}
`

type velocityCase struct {
	Template string         `json:"template"`
	Body     string         `json:"body"`
	Context  map[string]any `json:"context"`
}

// renderVelocity renders the cases with Apache Velocity 1.7.
func renderVelocity(t *testing.T, cases []velocityCase) []string {
	t.Helper()
	java := testpeer.LookPath(t, "java")
	for _, jar := range strings.Split(velocityJars, ":") {
		if _, err := os.Stat(jar); err != nil {
			testpeer.Missing(t, jar+" not found (Debian package velocity)")
		}
	}
	src := filepath.Join(t.TempDir(), "Harness.java")
	require.NoError(t, os.WriteFile(src, []byte(velocityHarness), 0o600))
	in, err := json.Marshal(cases)
	require.NoError(t, err)
	cmd := exec.Command(java, "-cp", velocityJars, src)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "java: %s", stderr.String())
	lines := strings.Fields(string(out))
	require.Len(t, lines, len(cases))
	rendered := make([]string, len(lines))
	for i, l := range lines {
		b, err := base64.StdEncoding.DecodeString(l)
		require.NoError(t, err)
		rendered[i] = string(b)
	}
	return rendered
}

var velocityContext = map[string]any{"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "authorizer": map[string]any{"sub": "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"}}

type batchEntry struct {
	ID         string            `json:"id,omitempty"`
	Body       string            `json:"body"`
	Attributes map[string]string `json:"attributes,omitempty"`
	order      []string          // attribute names in the body's order
}

// wantBatchForm is the SendMessageBatch form the batch method must send
// for entries: Id = the entry's id or its position, the caller's
// attributes then sub, and on FIFO the caller's group and a per-entry
// deduplication id.
func wantBatchForm(entries []batchEntry, fifo bool) url.Values {
	sub := velocityContext["authorizer"].(map[string]any)["sub"].(string)
	v := url.Values{"Action": {"SendMessageBatch"}}
	for i, e := range entries {
		n := strconv.Itoa(i + 1)
		p := "SendMessageBatchRequestEntry." + n + "."
		id := e.ID
		if id == "" {
			id = n
		}
		v.Set(p+"Id", id)
		v.Set(p+"MessageBody", e.Body)
		names := append(append([]string{}, e.order...), "sub")
		for j, name := range names {
			value := e.Attributes[name]
			if name == "sub" {
				value = sub
			}
			a := fmt.Sprintf("%sMessageAttribute.%d.", p, j+1)
			v.Set(a+"Name", name)
			v.Set(a+"Value.DataType", "String")
			v.Set(a+"Value.StringValue", value)
		}
		if fifo {
			v.Set(p+"MessageGroupId", sub)
			v.Set(p+"MessageDeduplicationId", velocityContext["requestId"].(string)+"-"+n)
		}
	}
	return v
}

func batchBody(t *testing.T, entries []batchEntry) string {
	t.Helper()
	var parts []string
	for _, e := range entries {
		b, err := json.Marshal(e)
		require.NoError(t, err)
		if len(e.order) > 0 { // keep the attributes in the declared order
			var attrs []string
			for _, name := range e.order {
				k, _ := json.Marshal(name)
				val, _ := json.Marshal(e.Attributes[name])
				attrs = append(attrs, string(k)+":"+string(val))
			}
			cut := bytes.LastIndex(b, []byte(`,"attributes":`))
			b = append(b[:cut], []byte(`,"attributes":{`+strings.Join(attrs, ",")+"}}")...)
		}
		parts = append(parts, string(b))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestRestMappingTemplatesRenderInVelocity: the batch template turns a
// batch of 3 (with and without ids and attributes, bodies with JSON, form
// and non-ASCII characters, a newline) and one of 10 into exactly the
// SendMessageBatch form SQS expects, on one line; the single-message
// template sends the body byte for byte with sub; the 4xx response
// template is valid JSON whatever SQS's message holds.
func TestRestMappingTemplatesRenderInVelocity(t *testing.T) {
	tmpl := loadTemplate(t)
	three := []batchEntry{
		{ID: "order-1", Body: `{"a":1} & é=+%`, Attributes: map[string]string{"kind": "order", "tenant": "t 1&x=y"}, order: []string{"kind", "tenant"}},
		{Body: "second\nline"},
		{ID: "x_3", Body: "third"},
	}
	var ten []batchEntry
	for i := range 10 {
		ten = append(ten, batchEntry{Body: fmt.Sprintf("message %d", i+1)})
	}
	single := `{"hello":"wor ld","n":[1,2],"s":"a&b=c+d"}`
	sqsError := `{"Error":{"Code":"InvalidParameterValue","Message":"Value \"x\\y\" for parameter MessageBody is invalid.","Type":"Sender"},"RequestId":"r-1"}`

	c := newCond(t, tmpl, map[string]string{"ApiType": "rest"})
	post := c.restMethods(tmpl)["POST /v1/messages"]["x-amazon-apigateway-integration"].(cfnMap)
	fifoPost := newCond(t, tmpl, map[string]string{"ApiType": "rest", "QueueType": "fifo"}).restMethods(tmpl)["POST /v1/messages"]["x-amazon-apigateway-integration"].(cfnMap)
	rejected := post["responses"].(cfnMap)[`4\d{2}`].(cfnMap)["responseTemplates"].(cfnMap)["application/json"].(string)

	cases := []velocityCase{
		{batchTemplate(t, tmpl, "standard"), batchBody(t, three), velocityContext},
		{batchTemplate(t, tmpl, "fifo"), batchBody(t, three), velocityContext},
		{batchTemplate(t, tmpl, "standard"), batchBody(t, ten), velocityContext},
		{post["requestTemplates"].(cfnMap)["application/json"].(string), single, velocityContext},
		{fifoPost["requestTemplates"].(cfnMap)["application/json"].(string), single, velocityContext},
		{rejected, sqsError, velocityContext},
	}
	out := renderVelocity(t, cases)
	for i, o := range out[:5] {
		assert.NotContains(t, o, "\n", "case %d: a newline in the form body", i)
		assert.NotContains(t, o, "$", "case %d: an unrendered reference", i)
	}
	form := func(s string) url.Values {
		v, err := url.ParseQuery(s)
		require.NoError(t, err, s)
		return v
	}
	assert.Equal(t, wantBatchForm(three, false), form(out[0]))
	assert.Equal(t, wantBatchForm(three, true), form(out[1]))
	assert.Equal(t, wantBatchForm(ten, false), form(out[2]))
	sub := velocityContext["authorizer"].(map[string]any)["sub"].(string)
	wantSingle := url.Values{"Action": {"SendMessage"}, "MessageBody": {single},
		"MessageAttribute.1.Name": {"sub"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {sub}}
	assert.Equal(t, wantSingle, form(out[3]))
	wantSingle.Set("MessageGroupId", sub)
	wantSingle.Set("MessageDeduplicationId", velocityContext["requestId"].(string))
	assert.Equal(t, wantSingle, form(out[4]))
	var answer map[string]string
	require.NoError(t, json.Unmarshal([]byte(out[5]), &answer), out[5])
	assert.Equal(t, map[string]string{"code": "sqs_rejected", "sqs_code": "InvalidParameterValue", "message": `Value "x\y" for parameter MessageBody is invalid.`}, answer)
}
