package parse

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Class 11 of issue 12: Message.Fault tells a message whose structure could
// not be read whole.
func TestFault(t *testing.T) {
	const text = "Namn: Anna Andersson"
	deepMessage := "From: a@b.example\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n"
	for i := 0; i < 50; i++ {
		deepMessage = "From: f@b.example\r\nContent-Type: message/rfc822\r\n\r\n" + deepMessage
	}
	var many strings.Builder
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&many, "--top\r\nContent-Type: application/octet-stream; name=p%d.bin\r\n\r\n%d\r\n", i, i)
	}
	tests := []struct {
		name string
		raw  string
		want []error // each must be wrapped; none when empty
		text string  // want Text to contain this
	}{
		{"plain", msg("From: a@b.example\n", text), nil, text},
		{"an empty mail", msg("Content-Type: multipart/alternative; boundary=b\n",
			"--b\r\nContent-Type: text/plain\r\n\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p></p>\r\n--b--\r\n"), nil, ""},
		{"50 nested multiparts beside the blanket", hostile("--top\r\n" + nested(50) + "\r\n--top--\r\n"), []error{ErrTooDeep}, text},
		{"50 nested multiparts and nothing else", msg("Subject: x\n"+strings.SplitN(nested(50), "\r\n\r\n", 2)[0]+"\n",
			strings.SplitN(nested(50), "\r\n\r\n", 2)[1]), []error{ErrTooDeep}, ""},
		{"50 nested messages", deepMessage, []error{ErrTooDeep}, ""},
		{"600 parts", hostile(many.String() + "--top--\r\n"), []error{ErrTooManyParts}, text},
		{"a closing line and nothing else", msg("Content-Type: multipart/mixed; boundary=b\n", "--b--\r\n"), []error{ErrNoPart}, ""},
		{"a multipart without a body", msg("Content-Type: multipart/mixed; boundary=b\n", ""), []error{ErrNoPart}, ""},
		{"no boundary, but text", msg("Content-Type: multipart/mixed; boundary=b\n", text), nil, text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.raw, nil)
			checkInvariants(t, m)
			if len(tt.want) == 0 && m.Fault != nil {
				t.Errorf("Parse(%s).Fault = %v, want nil", tt.name, m.Fault)
			}
			for _, e := range tt.want {
				if !errors.Is(m.Fault, e) {
					t.Errorf("Parse(%s).Fault = %v, want it to wrap %v", tt.name, m.Fault, e)
				}
			}
			if !strings.Contains(m.Text, tt.text) {
				t.Errorf("Parse(%s).Text = %.100q, want it to contain %q", tt.name, m.Text, tt.text)
			}
		})
	}
	m := parseFile(t, "hostile-nested-50.eml")
	if !errors.Is(m.Fault, ErrTooDeep) || problem(m, "nested deeper than 20 levels") == "" {
		t.Errorf("hostile-nested-50.eml: Fault %v, Problems %q", m.Fault, m.Problems)
	}
}
