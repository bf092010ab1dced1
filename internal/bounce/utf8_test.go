package bounce

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bounced/bounced/internal/domaincache"
)

// badStrings returns the path of every string reachable from v that is not
// valid UTF-8.
func badStrings(v reflect.Value, path string, seen map[uintptr]bool, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			*out = append(*out, path)
		}
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		badStrings(v.Elem(), path, seen, out)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				badStrings(v.Field(i), path+"."+v.Type().Field(i).Name, seen, out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			badStrings(v.Index(i), path+"[]", seen, out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			badStrings(k, path+"{key}", seen, out)
			badStrings(v.MapIndex(k), path+"{}", seen, out)
		}
	}
}

// TestLatin1Pipeline runs a bounce with raw ISO-8859-1 bytes and no charset
// through the whole pipeline, twice so that the domain memory is read back:
// every string of the result is valid UTF-8 (issue 8).
func TestLatin1Pipeline(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example.de\nTo: j\xf6rg@example.com\nSubject: R\xfcckl\xe4ufer\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: text/plain\n\nIhre Nachricht an m\xfcller@example.de: Empf\xe4nger unbekannt.\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.de\n\n" +
		"Final-Recipient: rfc822; m\xfcller@example.de\nAction: failed\nStatus: 5.1.1\n" +
		"Remote-MTA: dns; mx.b\xfcro.example.de\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 <m\xfcller@example.de>: Empf\xe4nger unbekannt\n" +
		"--b\nContent-Type: text/rfc822-headers\n\nFrom: J\xf6rg <j\xf6rg@example.com>\nSubject: Gr\xfc\xdfe\n--b--\n"
	e := New(Config{Store: domaincache.NewMemory(0, 0)})
	for i := range 2 {
		res, err := e.Parse(context.Background(), Request{Raw: []byte(raw), Language: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		var bad []string
		badStrings(reflect.ValueOf(res), "Result", map[uintptr]bool{}, &bad)
		if len(bad) > 0 {
			t.Errorf("run %d: invalid UTF-8 in %v", i, bad)
		}
		if len(res.Recipients) != 1 || !strings.Contains(res.Recipients[0].Facts.Diagnostic, "Empfänger") {
			t.Fatalf("run %d: recipients %+v, want one with “Empfänger”", i, res.Recipients)
		}
	}
}
