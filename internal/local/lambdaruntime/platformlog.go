package lambdaruntime

import (
	"encoding/json"
	"math"
	"time"
)

// platformStart and platformEnd write the platform's lines around an
// invocation: START, END and REPORT as text, or with the JSON log format
// the platform.start, platform.runtimeDone and platform.report records
// Lambda writes instead.
func (e *env) platformStart(inv *invocation) {
	if !e.fn.jsonLogs {
		e.writePlatform(inv, "START RequestId: %s Version: $LATEST", inv.id)
		return
	}
	e.platformRecord(inv, "platform.start", map[string]any{"requestId": inv.id, "version": latest})
}

func (e *env) platformEnd(inv *invocation, rep Report) {
	if !e.fn.jsonLogs {
		e.writePlatform(inv, "END RequestId: %s", inv.id)
		e.writePlatform(inv, "%s", rep.String())
		return
	}
	status := rep.Status
	if status == "" {
		status = "success"
	}
	done := map[string]any{"requestId": inv.id, "status": status}
	report := map[string]any{"requestId": inv.id, "status": status, "metrics": reportMetrics(rep)}
	if rep.ErrorType != "" {
		done["errorType"], report["errorType"] = rep.ErrorType, rep.ErrorType
	}
	e.platformRecord(inv, "platform.runtimeDone", done)
	e.platformRecord(inv, "platform.report", report)
}

func reportMetrics(rep Report) map[string]any {
	m := map[string]any{
		"durationMs":       roundMillis(rep.Duration),
		"billedDurationMs": rep.BilledDuration.Milliseconds(),
		"memorySizeMB":     rep.MemorySizeMB,
		"maxMemoryUsedMB":  rep.MaxMemoryUsedMB,
	}
	if rep.InitDuration > 0 {
		m["initDurationMs"] = roundMillis(rep.InitDuration)
	}
	return m
}

func roundMillis(d time.Duration) float64 { return math.Round(millis(d)*1000) / 1000 }

// platformRecord writes one record of Lambda's JSON log format.
func (e *env) platformRecord(inv *invocation, typ string, record map[string]any) {
	line, _ := json.Marshal(struct {
		Time   string         `json:"time"`
		Type   string         `json:"type"`
		Record map[string]any `json:"record"`
	}{time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), typ, record})
	e.rt.sink.writeLine(line)
	inv.log.add(line)
}
