package publish

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lexheller/intake/form"
	"lexheller/intake/store"
)

func fixture() ([]*store.Case, map[string][]*store.Forward) {
	at := time.Date(2026, 10, 14, 9, 0, 0, 0, time.UTC)
	ans := at.Add(72 * time.Hour)
	mk := func(id string, publishOK, publish bool) *store.Case {
		return &store.Case{ID: id, Forbund: "goteborg", Status: store.StatusAnswered, Level: "organisering",
			Parties: []string{"FK", "AF"}, Themes: []string{"sjukskrivning"}, PublishOK: publishOK, Publish: publish,
			ReporterName: "Anna Andersson", ReporterOrg: "AF Angered", ReporterEmail: "anna@af.example", ReporterPhone: "070-123 45 67",
			Description: "Anna Andersson på AF Angered (070-123 45 67, anna@af.example) såg att personen 850312-1231 " +
				"fick avslag från FK samma vecka som AF skrev ut hen.\n\nAnna ringde FK utan svar.",
			Consequence: "Ingen ersättning; <script>alert(1)</script>", CreatedAt: at}
	}
	cases := []*store.Case{mk("LH-2026-0001", true, true), mk("LH-2026-0002", true, false), mk("LH-2026-0003", false, true),
		mk("LH-2026-0004", true, true)}
	fws := map[string][]*store.Forward{
		"LH-2026-0001": {{CaseID: "LH-2026-0001", Party: "FK", At: at, AnsweredAt: &ans,
			Answer: "Vi har pratat med Anna Andersson och ser över rutinen. Ring 010-111 22 33 vid frågor."}},
		"LH-2026-0002": {{CaseID: "LH-2026-0002", Party: "FK", At: at, AnsweredAt: &ans, Answer: "Svar."}},
		"LH-2026-0003": {{CaseID: "LH-2026-0003", Party: "FK", At: at, AnsweredAt: &ans, Answer: "Svar."}},
		"LH-2026-0004": {{CaseID: "LH-2026-0004", Party: "FK", At: at}}, // not answered yet
	}
	return cases, fws
}

func publishAll(t *testing.T, dir string, cases []*store.Case, fws map[string][]*store.Forward) {
	t.Helper()
	var pub []Case
	for _, c := range cases {
		if Eligible(c, fws[c.ID]) {
			pub = append(pub, FromStore(c, fws[c.ID], "sv"))
		}
	}
	if err := Write(dir, Site{Title: "Besvarade avvikelser", BaseURL: "https://finsam.example/lh", Lang: "sv"}, pub); err != nil {
		t.Fatal(err)
	}
}

func TestPublishDeidentifiedAndInPlace(t *testing.T) {
	dir := t.TempDir()
	cases, fws := fixture()
	publishAll(t, dir, cases, fws)

	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	var got []string
	for _, n := range names {
		got = append(got, filepath.Base(n))
	}
	if strings.Join(got, " ") != "LH-2026-0001.html feed.xml index.html" {
		t.Errorf("files: %v; only the answered case with both permissions is published", got)
	}
	var all strings.Builder
	for _, n := range names {
		b, _ := os.ReadFile(n)
		all.Write(b)
	}
	for _, p := range []string{"Anna", "Andersson", "AF Angered", "070-123", "anna@af.example", "010-111", "<script>"} {
		if strings.Contains(all.String(), p) {
			t.Errorf("the site holds %q", p)
		}
	}
	if pii := form.FindPII(all.String()); len(pii) > 0 {
		t.Errorf("the site holds %v", pii)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "LH-2026-0001.html"))
	for _, want := range []string{"oktober 2026", "FK, AF", "organisering", "sjukskrivning", "ser över rutinen", "fick avslag från FK"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}

	var feed struct {
		Entries []struct {
			ID   string `xml:"id"`
			Link struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "feed.xml"))
	if err := xml.Unmarshal(b, &feed); err != nil || len(feed.Entries) != 1 ||
		feed.Entries[0].Link.Href != "https://finsam.example/lh/LH-2026-0001.html" {
		t.Errorf("feed: %v %+v", err, feed)
	}

	// Re-run: case 1 withdrawn, case 4 answered and published.
	cases[0].Publish = false
	ans := time.Now()
	fws["LH-2026-0004"][0].AnsweredAt, fws["LH-2026-0004"][0].Answer = &ans, "Nu har vi svarat."
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("kept"), 0o644)
	publishAll(t, dir, cases, fws)
	if _, err := os.Stat(filepath.Join(dir, "LH-2026-0001.html")); err == nil {
		t.Error("a withdrawn case's page is still there")
	}
	if _, err := os.Stat(filepath.Join(dir, "LH-2026-0004.html")); err != nil {
		t.Error("the newly answered case is not published")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.txt")); err != nil {
		t.Error("a file of the operator's was removed")
	}
	idx, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if strings.Contains(string(idx), "LH-2026-0001") || !strings.Contains(string(idx), "LH-2026-0004") {
		t.Errorf("index after the re-run:\n%s", idx)
	}
}

func isLink(t *testing.T, path string) bool {
	t.Helper()
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&os.ModeSymlink != 0
}

// A link planted at any name Write writes (the temporary names, the pages,
// the index and the feed) or removes (a withdrawn page) is never followed:
// what it points to stays as it was.
func TestPublishFollowsNoPlantedLink(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("the operator's file"), 0o600); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(outside, "created-through-a-link")
	plant := func(name, to string) {
		t.Helper()
		if err := os.Symlink(to, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// Every name Write uses: the old fixed temporary names, the targets, a
	// withdrawn page's name.
	for _, n := range []string{"index.html.tmp", "feed.xml.tmp", "LH-2026-0001.html.tmp", "index.html", "feed.xml", "LH-2026-0001.html", "LH-2026-0009.html"} {
		plant(n, victim)
	}
	// And the temporary names themselves: the first one tried for each file
	// is taken by a link (to the victim, or dangling), so Write must make
	// another.
	tried := map[string]int{}
	var planted []string
	defer func(f func(string) string) { tempName = f }(tempName)
	tempName = func(name string) string {
		tried[name]++
		tmp := fmt.Sprintf(".%s.%d.tmp", name, tried[name])
		if tried[name] == 1 {
			to := victim
			if name == "feed.xml" {
				to = dangling
			}
			plant(tmp, to)
			planted = append(planted, tmp)
		}
		return tmp
	}
	cases, fws := fixture()
	publishAll(t, dir, cases, fws)

	if b, _ := os.ReadFile(victim); string(b) != "the operator's file" {
		t.Errorf("a planted link was followed: the victim now holds %q", b)
	}
	if fi, _ := os.Stat(victim); fi.Mode().Perm() != 0o600 {
		t.Errorf("the victim's mode changed to %v", fi.Mode())
	}
	if _, err := os.Lstat(dangling); err == nil {
		t.Error("a file was created through a dangling link")
	}
	if len(planted) != 3 {
		t.Errorf("temporary names tried: %v", tried)
	}
	for _, n := range planted {
		if !isLink(t, filepath.Join(dir, n)) {
			t.Errorf("the link at the temporary name %s was replaced", n)
		}
	}
	for _, n := range []string{"index.html", "feed.xml", "LH-2026-0001.html"} {
		fi, err := os.Lstat(filepath.Join(dir, n))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v, want a regular file, mode 0644", n, fi.Mode(), err)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "LH-2026-0009.html")); err == nil {
		t.Error("the link at a withdrawn page's name was left")
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("removing a withdrawn page that is a link removed its target: %v", err)
	}
	for _, n := range []string{"index.html.tmp", "feed.xml.tmp", "LH-2026-0001.html.tmp"} {
		if !isLink(t, filepath.Join(dir, n)) {
			t.Errorf("%s: the operator's link was replaced", n)
		}
	}
	// No temporary file is left behind.
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	for _, n := range left {
		if !isLink(t, n) {
			t.Errorf("temporary file left: %s", n)
		}
	}
}

// A directory that is itself a link is refused, with the reason and the
// way out; with FollowSymlinkDir it is written.
func TestPublishRefusesASymlinkedDir(t *testing.T) {
	real, links := t.TempDir(), t.TempDir()
	link := filepath.Join(links, "site")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	site := Site{Title: "T", Lang: "sv"}
	for _, d := range []string{link, link + "/", link + "/."} {
		err := Write(d, site, nil)
		if err == nil || !strings.Contains(err.Error(), "is a symbolic link (to "+real+")") ||
			!strings.Contains(err.Error(), "--follow-symlink-dir") {
			t.Errorf("Write(%s) = %v, want it refused as a link, naming --follow-symlink-dir", d, err)
		}
	}
	if names, _ := os.ReadDir(real); len(names) != 0 {
		t.Errorf("written through the link: %v", names)
	}
	if err := WriteOptions(link, site, nil, Options{FollowSymlinkDir: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(real, "index.html")); err != nil {
		t.Errorf("with FollowSymlinkDir: %v", err)
	}
	// A directory Write makes is fine, as is a file in place of one, refused.
	if err := Write(filepath.Join(links, "new", "site"), site, nil); err != nil {
		t.Errorf("a new directory: %v", err)
	}
	os.WriteFile(filepath.Join(links, "file"), []byte("x"), 0o644)
	if err := Write(filepath.Join(links, "file"), site, nil); err == nil {
		t.Error("wrote into a file")
	}
}
