package form

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// mailDate is the date of the mails of this file's blankets.
var mailDate = time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)

// TestForwardedBlankets: a blanket forwarded from Gmail, Outlook
// (Windows, Mac and web, Swedish and English), Thunderbird or Apple Mail
// takes its event
// date from its own label; the forwarded header block ("Date: Wed, Nov 11,
// 2026 at 4:45 PM", "Datum: onsdag, 11 november 2026 16:45") is no field.
func TestForwardedBlankets(t *testing.T) {
	tests := []struct {
		file      string
		eventDate string
		org       string
	}{
		{"gmail-forward-en.txt", "2026-11-09", "Arbetsförmedlingen Angered"},
		{"gmail-forward-sv-no-date.txt", "", "Arbetsförmedlingen Angered"},
		{"outlook-forward-sv.txt", "2026-11-09", "Försäkringskassan Lokalt försäkringscenter Göteborg"},
		{"outlook-forward-sv-ursprungligt.txt", "2026-11-09", "Försäkringskassan"},
		{"outlook-forward-en.txt", "2026-11-09", "Försäkringskassan"},
		{"outlook-mac-forward-sv.txt", "2026-11-09", "Försäkringskassan"},
		{"outlook-mac-forward-en-no-date.txt", "", "Försäkringskassan"},
		{"thunderbird-forward-sv.txt", "", "Försäkringskassan"},
		{"apple-mail-forward-sv.txt", "", "Försäkringskassan"},
		{"outlook-web-forward-sv.txt", "2026-11-09", "Försäkringskassan"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "blankets", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r := Parse(string(b), Fallback{Name: "Per Persson", Email: "per.persson@samordning-goteborg.se", Date: mailDate})
			f := r.Fields
			if f.EventDate != tt.eventDate {
				t.Errorf("EventDate = %q, want %q", f.EventDate, tt.eventDate)
			}
			if len(r.Unreadable) != 0 {
				t.Errorf("Unreadable = %+v, want none", r.Unreadable)
			}
			if tt.eventDate == "" && slices.Contains(r.Labels, EventDate) {
				t.Errorf("Labels = %v: the forwarded header's date counts as the blanket's", r.Labels)
			}
			if f.ReporterName != "Anna Andersson" || f.ReporterOrg != tt.org || len(r.Missing) != 0 {
				t.Errorf("name %q, org %q, missing %v; want Anna Andersson, %q, none", f.ReporterName, f.ReporterOrg, r.Missing, tt.org)
			}
			if !reflect.DeepEqual(f.Parties, []string{FK, AF}) {
				t.Errorf("Parties = %v, want FK, AF", f.Parties)
			}
		})
	}
}

// TestHeaderBlockIsNoBlanket: a blanket's own "Datum:" and "Date:" are
// no header block, alone or beside a line that looks like a header; a
// header block ends the value above it.
func TestHeaderBlockIsNoBlanket(t *testing.T) {
	tests := []struct {
		name, in, date, desc string
	}{
		{"datum first", "Datum: 2026-11-10\nNamn: Anna\nVad hände?: FK nekade.", "2026-11-10", "FK nekade."},
		{"english date", "Date: 10 November 2026\nName: Anna\nWhat happened?: FK nekade.", "2026-11-10", "FK nekade."},
		{"beside till", "Till: Samordningsförbundet Göteborg\nDatum: 2026-11-10\nVad hände?: FK nekade.", "2026-11-10", "FK nekade."},
		{"reply below", "Datum: 2026-11-10\nVad hände?:\nFK nekade.\n\nFrån: Lex Heller <lexheller@x.se>\nSkickat: den 9 november 2026 10:00\n" +
			"Till: Anna\nÄmne: Blankett\n\nDatum för händelsen:\nVad hände?\n", "2026-11-10", "FK nekade."},
		{"gmail separator alone", "Vad hände?:\nFK nekade.\n---------- Forwarded message ---------\nSe nedan.", "", "FK nekade."},
		{"blanket right below a separator", "-----Original Message-----\nDatum: 2026-11-10\nVad hände?: FK nekade.", "2026-11-10", "FK nekade."},
	}
	for _, tt := range tests {
		r := Parse(tt.in, Fallback{Date: mailDate})
		if r.Fields.EventDate != tt.date || r.Fields.Description != tt.desc {
			t.Errorf("%s: date %q, description %q; want %q, %q", tt.name, r.Fields.EventDate, r.Fields.Description, tt.date, tt.desc)
		}
	}
}

// TestUnreadableEventDate: an event date that is no date is not stored
// but named in Result.Unreadable, masked; a dash is no date given.
func TestUnreadableEventDate(t *testing.T) {
	tests := []struct {
		in   string
		date string
		un   []Unreadable
	}{
		{"Datum för händelsen: i början av november", "", []Unreadable{{EventDate, "i början av november"}}},
		{"Datum för händelsen: 2026-02-30", "", []Unreadable{{EventDate, "2026-02-30"}}},
		{"Datum: igår, gällde 850312-1231", "", []Unreadable{{EventDate, "igår, gällde ÅÅMMDD-XXXX"}}},
		{"Datum för händelsen: Wed, Nov 11, 2026 at 4:45 PM", "", []Unreadable{{EventDate, "Wed, Nov 11, 2026 at 4:45 PM"}}},
		{"Datum för händelsen: –", "", nil},
		{"Datum för händelsen:\n12 nov", "2026-11-12", nil},
	}
	for _, tt := range tests {
		r := Parse(tt.in, Fallback{Date: mailDate})
		if r.Fields.EventDate != tt.date || !reflect.DeepEqual(r.Unreadable, tt.un) {
			t.Errorf("Parse(%q): EventDate %q, Unreadable %+v; want %q, %+v", tt.in, r.Fields.EventDate, r.Unreadable, tt.date, tt.un)
		}
	}
	// An answer to the request for the rest that gives the date clears it.
	first := Parse("Datum för händelsen: igår\nNamn: Anna", Fallback{Date: mailDate})
	m := Merge(first, Parse("Datum för händelsen: 2026-11-11", Fallback{Date: mailDate}))
	if m.Fields.EventDate != "2026-11-11" || len(m.Unreadable) != 0 {
		t.Errorf("Merge: EventDate %q, Unreadable %+v", m.Fields.EventDate, m.Unreadable)
	}
	m = Merge(first, Parse("Organisation: AF", Fallback{Date: mailDate}))
	if len(m.Unreadable) != 1 || m.Unreadable[0].Field != EventDate {
		t.Errorf("Merge kept Unreadable %+v, want the event date's", m.Unreadable)
	}
}
