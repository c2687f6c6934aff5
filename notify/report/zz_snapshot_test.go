package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestZZSnapshot(t *testing.T) {
	out := os.Getenv("LH_SNAP")
	if out == "" {
		t.Skip()
	}
	os.MkdirAll(out, 0o755)
	dump := func(name string, r *Report) {
		var b bytes.Buffer
		if err := r.HTML(&b); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(out, "report-"+name+".html"), b.Bytes(), 0o644)
		b.Reset()
		r.Text(&b)
		os.WriteFile(filepath.Join(out, "report-"+name+".txt"), b.Bytes(), 0o644)
		b.Reset()
		r.CSV(&b)
		os.WriteFile(filepath.Join(out, "report-"+name+".csv"), b.Bytes(), 0o644)
		os.WriteFile(filepath.Join(out, "report-"+name+".struct"), []byte(fmt.Sprintf("%+v", *r)), 0o644)
	}
	for _, lang := range []string{"sv", "en"} {
		dump("fix-"+lang, build(lang))
		dump("new-"+lang, newRegister(lang))
		cases, fws := fixture()
		for i := range cases {
			cases[i].Publish, cases[i].PublishOK = true, true
		}
		cases[2].Description = "<script>alert(1)</script> & <b>fet</b>"
		dump("ex-"+lang, Build(cases, fws, Options{From: from, To: to, Lang: lang, Forbund: []string{"goteborg", "boras"}, ForbundNames: names}, to))
		dump("hostile-"+lang, Build(hostileCases("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", `"><svg onload=alert(1)>`, "</td></tr></table><script>",
			"<!--", "=HYPERLINK(\"http://evil.example\",\"klicka\")"+strings.Repeat(" ord", 100), "<b>Anna</b>"), hostileForwards("<x>"), Options{From: from, To: to, Lang: lang}, to))
		dump("empty-"+lang, Build(nil, nil, Options{From: from, To: to, Lang: lang}, to))
	}
}
