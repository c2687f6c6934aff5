package templates

import (
	"fmt"
	"strings"
	"testing"
)

// Every message exists in every language, with the same fmt verbs in the
// same order (the core passes one list of values to all of them), and
// each formats cleanly with values of its verbs' kinds.
func TestEveryMessageInEveryLanguage(t *testing.T) {
	base := messages[Languages[0]]
	if len(base) < 40 {
		t.Fatalf("%d messages", len(base))
	}
	for _, lang := range Languages {
		for key, text := range messages[lang] {
			if _, ok := base[key]; !ok {
				t.Errorf("%s: %q has no %s text", lang, key, Languages[0])
			}
			if strings.TrimSpace(text) == "" || strings.TrimSpace(text) != text {
				t.Errorf("%s: %q is empty or has space around it: %q", lang, key, text)
			}
		}
		for key, want := range base {
			text, ok := messages[lang][key]
			if !ok {
				t.Errorf("%s: no text for %q", lang, key)
				continue
			}
			got, wantVerbs := verbs(text), verbs(want)
			if strings.Join(got, " ") != strings.Join(wantVerbs, " ") {
				t.Errorf("%s: %q has the verbs %v, %s has %v", lang, key, got, Languages[0], wantVerbs)
			}
			var args []any
			for _, v := range got {
				if strings.HasSuffix(v, "d") {
					args = append(args, 1)
				} else {
					args = append(args, "x")
				}
			}
			if s := Message(lang, key, args...); strings.Contains(s, "%!") {
				t.Errorf("%s: %q formats as %q", lang, key, s)
			}
		}
	}
}

// verbs are the fmt verbs of format, in order ("%d", "%[2]s"); "%%" is
// no verb.
func verbs(format string) []string {
	var out []string
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.*[]", format[j]) >= 0 {
			j++
		}
		if j < len(format) && format[j] != '%' {
			out = append(out, format[i:j+1])
		}
		i = j
	}
	return out
}

func TestMessage(t *testing.T) {
	for _, c := range []struct{ lang, key, want string }{
		{"sv", "question_to_reporter", "Fråga till anmälaren från a@x.se"},
		{"en", "question_to_reporter", "Question to the reporter from a@x.se"},
		{"xx", "question_to_reporter", "Fråga till anmälaren från a@x.se"}, // the default language
		{"en", "no_such_key", "no_such_key"},
	} {
		if got := Message(c.lang, c.key, "a@x.se"); got != c.want {
			t.Errorf("Message(%q, %q) = %q, want %q", c.lang, c.key, got, c.want)
		}
	}
	if got := Message("sv", "undeliverable_address", `a"b`); got != `adressen "a\"b" går inte att skicka till` {
		t.Errorf("a quoted value: %q", got)
	}
	if !HasMessage("closed") || HasMessage("no_such_key") {
		t.Error("HasMessage")
	}
	if got := fmt.Sprint(verbs("%d av %[2]s, 100%% %q")); got != "[%d %[2]s %q]" {
		t.Errorf("verbs = %s", got)
	}
}
