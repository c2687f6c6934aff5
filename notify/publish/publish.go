// Package publish writes the answered cases that may be published as a
// static web site: an index, one page a case and an Atom feed. The pages
// are the templates html/site_index.html.tmpl and html/site_case.html.tmpl
// of package templates, which an operator may override (Options.Pages).
// A case is published when the reporter allowed it, a process leader
// wrote /publicera ja, and a party has answered. Its text is
// de-identified: no personnummer, and nothing of the reporter (name,
// unit, addresses, phone).
package publish

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"lexheller/intake/form"
	"lexheller/intake/store"
	"lexheller/notify/guard"
	"lexheller/templates"
)

// Site describes the site.
type Site struct {
	Title   string // e.g. "Besvarade avvikelser – Samordningsförbundet Göteborg"
	BaseURL string // where the site is served, for the feed's links; may be ""
	Lang    string
}

// Answer is a party's answer on a published case.
type Answer struct {
	Party string
	Text  string
	At    time.Time
}

// Case is a case as it is published.
type Case struct {
	ID          string
	Month       string // "november 2026"
	Parties     []string
	Level       string
	Themes      []string
	Description string
	Consequence string
	Suggestion  string
	Answers     []Answer
	Updated     time.Time
}

// Eligible reports whether c may be published, given its forwards.
func Eligible(c *store.Case, fws []*store.Forward) bool {
	if !c.PublishOK || !c.Publish {
		return false
	}
	return slices.ContainsFunc(fws, func(f *store.Forward) bool { return f.AnsweredAt != nil && f.Answer != "" })
}

// FromStore makes the published form of c.
func FromStore(c *store.Case, fws []*store.Forward, lang string) Case {
	who := c.Reporter()
	clean := func(s string) string { return form.Deidentify(s, who) }
	p := Case{
		ID: c.ID, Month: month(c.CreatedAt, lang), Parties: c.Parties, Level: templates.LevelName(lang, c.Level),
		Themes: themes(c.Themes), Description: clean(c.ForParties()), Consequence: clean(c.Consequence),
		Suggestion: clean(c.Suggestion), Updated: c.CreatedAt,
	}
	for _, f := range fws {
		if f.AnsweredAt == nil || f.Answer == "" {
			continue
		}
		p.Answers = append(p.Answers, Answer{Party: f.Party, Text: clean(f.Answer), At: *f.AnsweredAt})
		if f.AnsweredAt.After(p.Updated) {
			p.Updated = *f.AnsweredAt
		}
	}
	return p
}

var monthsSv = []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

func month(t time.Time, lang string) string {
	t = t.In(templates.Stockholm)
	if templates.Lang(lang) == "en" {
		return t.Format("January 2006")
	}
	return fmt.Sprintf("%s %d", monthsSv[t.Month()-1], t.Year())
}

var pageName = regexp.MustCompile(`^[A-Z][A-Z0-9]*-\d{4}-\d{4,}\.html$`)

// Options says how Write treats the directory it writes into.
type Options struct {
	// FollowSymlinkDir lets the directory itself be a symbolic link (the
	// CLI's --follow-symlink-dir). Without it such a directory is refused:
	// whoever can change the link chooses where the site is written.
	FollowSymlinkDir bool
	// Pages hold the templates of the index and the case pages
	// (templates.LoadPages, with an operator's overrides); nil means the
	// embedded ones.
	Pages *templates.Pages
}

// Write writes the site into dir, replacing what an earlier run wrote:
// pages of cases no longer published are removed. Files are written
// whole (a temporary file renamed), so a web server never serves half a
// page.
//
// Nothing in dir is followed through a symbolic link: each file is first
// written to a new file created exclusively (O_CREAT|O_EXCL, which fails
// on any existing name, a symbolic link included) under a random name,
// then renamed over the page, which replaces a link rather than writing
// through it; a withdrawn page that is a link is removed as a link. dir
// is opened once, and every name is resolved in that directory, so
// swapping dir for a link while Write runs changes nothing either.
func Write(dir string, site Site, cases []Case) error {
	return WriteOptions(dir, site, cases, Options{})
}

// WriteOptions is Write with options.
func WriteOptions(dir string, site Site, cases []Case, opt Options) error {
	root, err := openDir(dir, opt)
	if err != nil {
		return err
	}
	defer root.Close()
	slices.SortFunc(cases, func(a, b Case) int { return strings.Compare(b.ID, a.ID) }) // newest first
	keep := map[string]bool{"index.html": true, "feed.xml": true}
	for _, c := range cases {
		var b bytes.Buffer
		if err := opt.Pages.Render(&b, templates.PageSiteCase, struct {
			Site Site
			Case Case
		}{site, c}); err != nil {
			return fmt.Errorf("publish %s: %w", c.ID, err)
		}
		name := c.ID + ".html"
		if !pageName.MatchString(name) {
			return fmt.Errorf("publish: %q is not a case number", c.ID)
		}
		keep[name] = true
		if err := writeFile(root, name, b.Bytes()); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	if err := opt.Pages.Render(&b, templates.PageSiteIndex, struct {
		Site  Site
		Cases []Case
	}{site, cases}); err != nil {
		return fmt.Errorf("publish index: %w", err)
	}
	if err := writeFile(root, "index.html", b.Bytes()); err != nil {
		return err
	}
	feed, err := atom(site, cases)
	if err != nil {
		return err
	}
	if err := writeFile(root, "feed.xml", feed); err != nil {
		return err
	}
	d, err := root.Open(".")
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	for _, e := range entries {
		if !pageName.MatchString(e.Name()) || keep[e.Name()] {
			continue
		}
		// A withdrawn page. Lstat, not Stat: a link is removed as a link
		// (unlink never follows it), its target left alone; a directory
		// or anything else of that name is not ours and stays.
		fi, err := root.Lstat(e.Name())
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if fi.Mode().IsRegular() || fi.Mode()&fs.ModeSymlink != 0 {
			if err := root.Remove(e.Name()); err != nil {
				return fmt.Errorf("publish: remove the withdrawn page: %w", err)
			}
		}
	}
	return nil
}

// openDir makes dir if need be and opens it, refusing a directory that is
// a symbolic link unless opt allows it.
func openDir(dir string, opt Options) (*os.Root, error) {
	dir = filepath.Clean(dir) // "link/" would make Lstat follow the link
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("publish: %w", err)
		}
		fi, err = os.Lstat(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 && !opt.FollowSymlinkDir {
		to, _ := os.Readlink(dir)
		return nil, fmt.Errorf("publish: %s is a symbolic link (to %s); refusing to write the site through it: "+
			"give the directory it points to, or --follow-symlink-dir to write there anyway", dir, to)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	opened, err := root.Stat(".")
	if err == nil && fi.Mode()&fs.ModeSymlink == 0 && !os.SameFile(fi, opened) {
		err = fmt.Errorf("%s was replaced while being opened", dir)
	}
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("publish: %w", err)
	}
	return root, nil
}

// tempName is the name of a new temporary file for name (a variable for
// the tests, which plant links at the names it returns).
var tempName = func(name string) string {
	return "." + name + "." + strconv.FormatUint(rand.Uint64(), 36) + ".tmp"
}

// writeFile writes data to name in root: to a new file, created
// exclusively so that nothing there (a planted link, say) is opened, then
// renamed into place.
func writeFile(root *os.Root, name string, data []byte) error {
	data = guard.Bytes(guard.Site, name, data) // the last look, after every transformation
	var f *os.File
	var tmp string
	for range 100 {
		var err error
		tmp = tempName(name)
		f, err = root.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("publish %s: %w", name, err)
		}
	}
	if f == nil {
		return fmt.Errorf("publish %s: no free temporary name in %s", name, root.Name())
	}
	// 0644: the site is public, and the web server, often another user,
	// must read it. Set on the file itself, whatever the umask.
	err := f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		root.Remove(tmp)
		return fmt.Errorf("publish %s: %w", name, err)
	}
	return nil
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
}

func atom(site Site, cases []Case) ([]byte, error) {
	base := strings.TrimRight(site.BaseURL, "/")
	f := atomFeed{Title: site.Title, ID: "urn:lexheller:" + slug(site.Title), Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Link: []atomLink{{Href: base + "/feed.xml", Rel: "self"}, {Href: base + "/index.html"}}}
	latest := time.Time{}
	for _, c := range cases {
		e := atomEntry{Title: c.ID + ": " + short(c.Description, 80), ID: "urn:lexheller:case:" + c.ID,
			Updated: c.Updated.UTC().Format(time.RFC3339), Link: atomLink{Href: base + "/" + c.ID + ".html"},
			Summary: short(c.Description, 300)}
		e.Author.Name = site.Title
		f.Entries = append(f.Entries, e)
		if c.Updated.After(latest) {
			latest = c.Updated
		}
	}
	if !latest.IsZero() {
		f.Updated = latest.UTC().Format(time.RFC3339)
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

func slug(s string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// themes masks what has the shape of a personnummer in free-text themes.
func themes(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = form.MaskPIIOutgoing(t)
	}
	return out
}

// Excerpt is the description on one line, at most n characters (the
// index shows it).
func (c Case) Excerpt(n int) string { return short(c.Description, n) }

// short is s on one line, at most n characters. Joining the lines can
// make one number of a personnummer broken over two: it is masked again
// after the join, the last step before the text is written.
func short(s string, n int) string {
	s = form.MaskPIIOutgoing(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
