package legacy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"lexheller/intake/form"
)

// pnrSheet is a sheet with a personnummer in every cell that can hold
// text: its rows and the ten-digit cores of the numbers written.
func pnrSheet() (rows [][]string, cores []string) {
	n := 0
	// pnr writes the n-th number in the n-th spelling.
	pnr := func() string {
		n++
		d9 := fmt.Sprintf("8%d12%02d%03d", n%10, 1+n%28, 100+n)
		d := d9 + luhn(d9)
		cores = append(cores, d)
		switch n % 8 {
		case 0:
			return d[:6] + "-" + d[6:]
		case 1:
			return "19" + d[:6] + "-" + d[6:]
		case 2:
			return d[:2] + " " + d[2:4] + " " + d[4:6] + "-" + d[6:]
		case 3:
			return widen(d[:6] + "-" + d[6:])
		case 4:
			return d[:6] + "-\n" + d[6:]
		case 5:
			return d[:6] + " – " + d[6:]
		case 6:
			return d
		}
		return d[:6] + "\u00a0" + d[6:]
	}
	rows = [][]string{{"Ärende", "Mottaget", "Datum", "Namn", "E-post", "Telefon", "Organisation", "Förbund", "Berörda parter",
		"Beskrivning", "Konsekvens", "Förslag", "Nivå", "Tema", "Status", "Svar", "Kolumn " + pnr()}}
	// A row that is imported, a number in every text.
	rows = append(rows, []string{"LH-7 " + pnr(), "2024-03-15", "2024-03-14", "Anna " + pnr(), pnr() + "@af.example",
		"070-612 34 56 " + pnr(), "AF Angered " + pnr(), "Göteborg " + pnr(), "FK, Annan: hyresvärden för " + pnr(),
		"Personen " + pnr() + " fick avslag.", "Utan inkomst, " + pnr(), "Rutin för " + pnr(), "Organisering " + pnr(),
		"sjukskrivning, " + pnr() + ", intyg", "Avslutad " + pnr(), "FK svarar om " + pnr(), "x " + pnr()})
	// Rows that are not, and name their cells in problem lines.
	rows = append(rows, []string{"LH-8", pnr(), pnr(), "", "", "", "", "", "", "Beskrivning " + pnr(), "", "", pnr(), "", pnr(), "", ""})
	rows = append(rows, []string{"LH-9", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", pnr()})
	return rows, cores
}

func luhn(d9 string) string {
	for c := byte('0'); c <= '9'; c++ {
		sum := 0
		for i, r := range d9 + string(c) {
			v := int(r - '0')
			if i%2 == 0 {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
		}
		if sum%10 == 0 {
			return string(c)
		}
	}
	panic("no check digit")
}

// widen writes ASCII digits and '-' full-width.
func widen(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '-' {
			return r + 0xFEE0
		}
		return r
	}, s)
}

// digits is s after NFKC with only its ASCII digits: what a reader could
// take for a number (the sheet's numbers are written in ASCII and
// full-width digits, which NFKC makes ASCII).
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, norm.NFKC.String(s))
}

// TestMapMasksEveryCell: a personnummer in any cell, of a row imported or
// not, the header too, survives in no record and no problem line, and is
// counted as a blanket's are.
func TestMapMasksEveryCell(t *testing.T) {
	rows, cores := pnrSheet()
	dir := t.TempDir()

	var csv strings.Builder
	for _, row := range rows {
		for i, v := range row {
			if i > 0 {
				csv.WriteByte(';')
			}
			csv.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
		}
		csv.WriteString("\r\n")
	}
	csvPath := filepath.Join(dir, "ärenden.csv")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	for r, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	xlsxPath := filepath.Join(dir, "ärenden.xlsx")
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{csvPath, xlsxPath} {
		read, err := Read(path, "")
		if err != nil {
			t.Fatal(err)
		}
		// The control: the sheet as read holds every number.
		if all := digits(fmt.Sprint(read)); !containsAll(all, cores) {
			t.Fatalf("%s: the sheet as read lacks numbers: %q", path, read)
		}
		recs, problems := Map(read, Options{Forbund: "goteborg", Now: now})
		if len(recs) != 1 {
			t.Errorf("%s: %d records, want 1; problems %v", path, len(recs), problems)
		}
		var texts []string
		for _, rec := range recs {
			c := rec.Case
			if c.PIIFound != 14 {
				t.Errorf("%s: PIIFound = %d, want the 14 numbers of the row's mapped cells", path, c.PIIFound)
			}
			b, _ := json.Marshal(c)
			texts = append(texts, string(b), rec.OrigID, rec.Answer)
			if rec.Key == "" {
				t.Errorf("%s: no key", path)
			}
		}
		for _, p := range problems {
			texts = append(texts, p.String())
		}
		if len(problems) < 5 {
			t.Errorf("%s: problems %v, want the header, the dates, the level, the status, the rows", path, problems)
		}
		for _, s := range texts {
			for _, core := range cores {
				if strings.Contains(digits(s), core) {
					t.Errorf("%s: %s survives in %q", path, core, s)
				}
			}
			if pii := form.FindPII(s); len(pii) > 0 {
				t.Errorf("%s: %v in %q", path, pii, s)
			}
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// TestMapKeys: a row's key is the hash of its masked content, so it holds
// no trace of a number; rows that differ only in a personnummer still get
// keys of their own, and the same row the same key, import after import.
func TestMapKeys(t *testing.T) {
	rows := [][]string{
		{"Datum", "Beskrivning", "Övrigt"},
		{"2024-01-02", "Personen 811218-9876 fick avslag.", "a"},
		{"2024-01-02", "Personen 850312-1231 fick avslag.", "b"},
		{"2024-01-02", "Personen 811218-9876 fick avslag.", "c"},
		{"2024-01-02", "Personen ÅÅMMDD-XXXX fick avslag.", "d"},
	}
	m := map[string]string{"datum": FieldEventDate, "beskrivning": FieldDescription, "övrigt": FieldIgnore}
	recs, problems := Map(rows, Options{Mapping: m, Forbund: "x", Now: now})
	if len(recs) != 4 {
		t.Fatalf("%d records: %v", len(recs), problems)
	}
	if recs[0].Key == recs[1].Key || recs[0].Key != recs[2].Key || recs[3].Key == recs[0].Key || recs[3].Key == recs[1].Key {
		t.Errorf("keys %s %s %s %s: want the first and third alike, the rest apart", recs[0].Key, recs[1].Key, recs[2].Key, recs[3].Key)
	}
	again, _ := Map(rows, Options{Mapping: m, Forbund: "x", Now: now})
	for i := range recs {
		if again[i].Key != recs[i].Key {
			t.Errorf("row %d: key %s, then %s", i+2, recs[i].Key, again[i].Key)
		}
	}
}
