// Package legacy reads the Excel sheets förbund kept their Lex Heller
// cases in before lexheller: one sheet of XLSX, or CSV as Swedish Excel
// writes it (semicolons; UTF-8 with or without a byte order mark, or
// Windows-1252). It maps the columns to case fields by their headers — a
// default for the usual Swedish ones, a mapping file for others — and
// returns a record for each readable row and, for each row it cannot
// read, the line, column, value and why.
package legacy

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"lexheller/intake/form"
	"lexheller/intake/store"
	"lexheller/templates"
)

// Fields a column can map to.
const (
	FieldID          = "id" // the sheet's own case number, kept on the timeline
	FieldCreated     = "created"
	FieldEventDate   = "event_date"
	FieldName        = "reporter_name"
	FieldEmail       = "reporter_email"
	FieldPhone       = "reporter_phone"
	FieldOrg         = "reporter_org"
	FieldForbund     = "forbund"
	FieldParties     = "parties"
	FieldDescription = "description"
	FieldConsequence = "consequence"
	FieldSuggestion  = "suggestion"
	FieldLevel       = "level"
	FieldThemes      = "themes"
	FieldStatus      = "status"
	FieldAnswer      = "answer"
	FieldIgnore      = "-"
)

var fields = []string{FieldID, FieldCreated, FieldEventDate, FieldName, FieldEmail, FieldPhone, FieldOrg, FieldForbund,
	FieldParties, FieldDescription, FieldConsequence, FieldSuggestion, FieldLevel, FieldThemes, FieldStatus, FieldAnswer, FieldIgnore}

// DefaultMapping maps the headers Swedish sheets use (lower-case) to
// fields, lexheller's own export among them.
var DefaultMapping = map[string]string{
	"ärende": FieldID, "ärendenummer": FieldID, "nr": FieldID, "id": FieldID,
	"mottaget": FieldCreated, "inkommet": FieldCreated, "registrerat": FieldCreated,
	"datum": FieldEventDate, "händelsedatum": FieldEventDate, "datum för händelsen": FieldEventDate,
	"anmälare": FieldName, "namn": FieldName, "e-post": FieldEmail, "epost": FieldEmail, "mejl": FieldEmail,
	"telefon": FieldPhone, "organisation": FieldOrg, "myndighet": FieldOrg, "verksamhet": FieldOrg,
	"förbund": FieldForbund, "samordningsförbund": FieldForbund,
	"berörda parter": FieldParties, "parter": FieldParties, "part": FieldParties,
	"beskrivning": FieldDescription, "vad hände": FieldDescription, "vad hände?": FieldDescription, "händelse": FieldDescription,
	"konsekvens": FieldConsequence, "konsekvens för individen": FieldConsequence,
	"förslag": FieldSuggestion, "förslag på lösning": FieldSuggestion, "åtgärdsförslag": FieldSuggestion,
	"nivå": FieldLevel, "tema": FieldThemes, "teman": FieldThemes, "kategori": FieldThemes,
	"status": FieldStatus, "svar": FieldAnswer, "återkoppling": FieldAnswer, "kommentar": FieldAnswer,
}

// LoadMapping reads a mapping file: a [columns] table of header = field.
// With path "" there is none: the mapping is nil (DefaultMapping).
func LoadMapping(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	var f struct {
		Columns map[string]string `toml:"columns"`
	}
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		return nil, fmt.Errorf("mapping %s: unknown key %q: write the headers under [columns]", path, un[0].String())
	}
	m := map[string]string{}
	for h, field := range f.Columns {
		if !contains(fields, field) {
			return nil, fmt.Errorf("mapping %s: %q = %q: the field must be one of %s", path, h, field, strings.Join(fields, ", "))
		}
		m[strings.ToLower(strings.TrimSpace(h))] = field
	}
	return m, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Record is one readable row. Every text in it is masked (form.MaskPII),
// and Case.PIIFound counts the personnummer its cells held.
type Record struct {
	Line   int    // the row's line in the sheet (1 is the header)
	Key    string // the hash of the row's masked content: the same row is imported once
	OrigID string
	Case   store.Case // ID, Year and Seq are not set
	Answer string
}

// Problem is a row, or a cell, that could not be read. Column and Value
// are masked.
type Problem struct {
	Line   int
	Column string
	Value  string
	Why    string
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("rad %d: %s", p.Line, p.Why)
	}
	return fmt.Sprintf("rad %d, kolumn %q, värde %q: %s", p.Line, p.Column, p.Value, p.Why)
}

// maxUnzip bounds what an XLSX may unpack to. A zip declares the size of
// each part, and excelize allocates that much before reading it (its own
// limit is 16 GB): a file of 18 kB declaring gigabytes took 5.6 GB of
// memory. A sheet of 50,000 cases unpacks to well under 100 MB.
const maxUnzip = 256 << 20

// Read reads a sheet: XLSX by its name's ending, CSV otherwise.
func Read(path, sheet string) ([][]string, error) {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		// Dates typed into Excel carry its built-in short date format,
		// which excelize would show as 01-02-24: read them as ISO dates.
		f, err := excelize.OpenFile(path, excelize.Options{ShortDatePattern: "yyyy-mm-dd", UnzipSizeLimit: maxUnzip})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer f.Close()
		if sheet == "" {
			sheet = f.GetSheetName(0)
		}
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil, fmt.Errorf("%s, sheet %q: %w", path, sheet, err)
		}
		return rows, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadCSV(b)
}

// ReadCSV reads CSV as Swedish Excel writes it.
func ReadCSV(b []byte) ([][]string, error) {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	if !utf8.Valid(b) {
		d, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return nil, err
		}
		b = d
	}
	first, _, _ := bytes.Cut(b, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = ';'
	if bytes.Count(first, []byte(";")) == 0 && bytes.Count(first, []byte(",")) > 0 {
		r.Comma = ','
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("csv: %w", err)
	}
	return rows, nil
}

// Options for Map.
type Options struct {
	Mapping map[string]string // header (lower-case) → field; nil is DefaultMapping
	Forbund string            // the förbund of rows that name none
	Now     time.Time         // for dates without a year
}

// Map turns rows (the first is the header) into records and problems.
func Map(rows [][]string, o Options) ([]Record, []Problem) {
	if len(rows) == 0 {
		return nil, []Problem{{Line: 1, Why: "the sheet is empty"}}
	}
	mapping := o.Mapping
	if mapping == nil {
		mapping = DefaultMapping
	}
	cols := map[int]string{}
	var problems []Problem
	have := map[string]bool{}
	// Headers are masked too: the problem lines show them.
	header := make([]string, len(rows[0]))
	for i, h := range rows[0] {
		h = form.MaskPII(h)
		header[i] = h
		key := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), ":")))
		field, ok := mapping[key]
		if !ok && key != "" {
			problems = append(problems, Problem{Line: 1, Column: h, Why: "okänd kolumn, hoppas över (ange den i en mappningsfil med --map)"})
			continue
		}
		if field != FieldIgnore {
			cols[i] = field
			have[field] = true
		}
	}
	if !have[FieldDescription] {
		return nil, append(problems, Problem{Line: 1, Why: "ingen kolumn för beskrivningen (t.ex. \"Beskrivning\"); ange den med --map"})
	}
	var recs []Record
	// Rows that differ only in their personnummer have the same masked
	// content: the n-th of them (n > 0) has n in its key, so that each is
	// imported once. The rows as written are compared here only.
	written := map[string][]string{} // key → the rows' hashes as written
	for n, row := range rows[1:] {
		line := n + 2
		if blank(row) {
			continue
		}
		rec, ps := mapRow(row, header, cols, line, o)
		problems = append(problems, ps...)
		if rec != nil {
			h := rowHash(row, cols)
			k := slices.Index(written[rec.Key], h)
			if k < 0 {
				k = len(written[rec.Key])
				written[rec.Key] = append(written[rec.Key], h)
			}
			if k > 0 {
				sum := sha256.Sum256(fmt.Appendf(nil, "%s#%d", rec.Key, k))
				rec.Key = hex.EncodeToString(sum[:])
			}
			recs = append(recs, *rec)
		}
	}
	return recs, problems
}

// rowHash is the hash of a row's mapped cells as written, for Map to
// compare rows by.
func rowHash(row []string, cols map[int]string) string {
	sum := sha256.New()
	for i, v := range row {
		if field, ok := cols[i]; ok {
			fmt.Fprintf(sum, "%s=%s\x00", field, strings.TrimSpace(v))
		}
	}
	return string(sum.Sum(nil))
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func mapRow(row, header []string, cols map[int]string, line int, o Options) (*Record, []Problem) {
	var problems []Problem
	bad := func(i int, v, why string) {
		problems = append(problems, Problem{Line: line, Column: header[i], Value: v, Why: why})
	}
	rec := &Record{Line: line}
	c := &rec.Case
	c.Forbund, c.Status, c.ContactOK = o.Forbund, store.StatusClosed, false
	sum := sha256.New()
	var created string
	for i, v := range row {
		field, ok := cols[i]
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(v[1])) {
			v = v[1:] // the quote a spreadsheet export puts before a would-be formula
		}
		// Every cell is masked as a blanket's text is, before anything
		// (the case, its timeline, a problem line, the row's key) holds it.
		c.PIIFound += len(form.FindPII(v))
		v = form.MaskPII(v)
		fmt.Fprintf(sum, "%s=%s\x00", field, v)
		if v == "" {
			continue
		}
		switch field {
		case FieldID:
			rec.OrigID = v
		case FieldCreated:
			created = v
		case FieldEventDate:
			d := form.NormalizeDate(v, o.Now)
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				bad(i, v, "går inte att läsa som datum (skriv t.ex. 2024-03-15)")
				continue
			}
			c.EventDate = d
		case FieldName:
			c.ReporterName = v
		case FieldEmail:
			c.ReporterEmail = v
		case FieldPhone:
			c.ReporterPhone = v
		case FieldOrg:
			c.ReporterOrg = v
		case FieldForbund:
			c.Forbund = strings.ToLower(v)
		case FieldParties:
			c.Parties, c.OtherParty = form.NormalizeParties(v)
		case FieldDescription:
			c.Description = v
		case FieldConsequence:
			c.Consequence = v
		case FieldSuggestion:
			c.Suggestion = v
		case FieldLevel:
			switch c.Level = form.NormalizeLevel(v); {
			case c.Level == "" && strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "vet"):
				c.Level = form.LevelUnknown // "Vet ej", as a blanket's answer is kept
			case c.Level == "":
				bad(i, v, "är ingen nivå (struktur, organisering eller individ); lämnas tom")
			}
		case FieldThemes:
			// Masked before the split: "/" and "," can stand inside a
			// written personnummer.
			for _, t := range strings.FieldsFunc(form.MaskPIIOutgoing(strings.ToLower(v)), func(r rune) bool { return r == ',' || r == ';' || r == '/' }) {
				if t = strings.TrimSpace(t); t != "" {
					c.Themes = append(c.Themes, t)
				}
			}
		case FieldStatus:
			s, ok := status(v)
			if !ok {
				bad(i, v, "är ingen status (mottaget, i dialog, vidarebefordrat, besvarat, avslutat); sätts till avslutat")
			}
			c.Status = s
		case FieldAnswer:
			rec.Answer = v
		}
	}
	rec.Key = hex.EncodeToString(sum.Sum(nil))
	if c.Description == "" {
		return nil, append(problems, Problem{Line: line, Why: "beskrivningen är tom; raden importeras inte"})
	}
	// The case's date: when it came in, else when it happened.
	when := created
	if when == "" {
		when = c.EventDate
	}
	if when == "" {
		return nil, append(problems, Problem{Line: line, Why: "raden har inget datum; raden importeras inte"})
	}
	d, err := time.ParseInLocation(time.DateOnly, form.NormalizeDate(when, o.Now), templates.Stockholm)
	if err != nil {
		return nil, append(problems, Problem{Line: line, Column: "datum", Value: when, Why: "går inte att läsa som datum; raden importeras inte"})
	}
	c.CreatedAt, c.UpdatedAt = d.Add(12*time.Hour).UTC(), d.Add(12*time.Hour).UTC()
	if c.Status == store.StatusClosed {
		t := c.CreatedAt
		c.ClosedAt = &t
	}
	if c.Forbund == "" {
		return nil, append(problems, Problem{Line: line, Why: "raden anger inget förbund; ange ett med --forbund"})
	}
	return rec, problems
}

func status(v string) (string, bool) {
	f := strings.ToLower(strings.TrimSpace(v))
	switch {
	case strings.HasPrefix(f, "mottag") || f == "ny" || f == "new":
		return store.StatusNew, true
	case strings.HasPrefix(f, "under") || strings.HasPrefix(f, "pågå") || strings.HasPrefix(f, "i dialog") || f == "in_dialogue":
		return store.StatusInDialogue, true
	case strings.HasPrefix(f, "vidarebefordr") || strings.HasPrefix(f, "skickad") || f == "forwarded":
		return store.StatusForwarded, true
	case strings.HasPrefix(f, "besvar") || f == "answered":
		return store.StatusAnswered, true
	case strings.HasPrefix(f, "avslut") || strings.HasPrefix(f, "stäng") || f == "klar" || f == "closed":
		return store.StatusClosed, true
	}
	return store.StatusClosed, false
}
