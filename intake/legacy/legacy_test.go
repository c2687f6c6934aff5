package legacy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"lexheller/intake/store"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const sheet = "Datum;Anmälare;Organisation;Berörda parter;Beskrivning;Förslag;Nivå;Status;Svar;Tema\r\n" +
	"2024-03-15;Anna Andersson;AF Angered;FK, AF;Sjukpenningen drogs in för 850312-1231.;Avstämning;Organisering;Avslutad;FK ser över rutinen.;sjukskrivning, intyg\r\n" +
	"15/4 2024;Per Holm;Kommunen;Kommun;\"Försörjningsstöd krävde inskrivning;\nmen tolk saknades.\";;struktur;pågående;;\r\n" +
	";;;;;;;;;\r\n" +
	"32/13 2024;Eva;Region;Region;Intyg saknades.;;hög;okänd;;\r\n" +
	"2023-12-01;Olle;AF;AF;;;individ;besvarad;;\r\n"

func TestMapDefaultHeaders(t *testing.T) {
	rows, err := ReadCSV([]byte("\ufeff" + sheet))
	if err != nil {
		t.Fatal(err)
	}
	recs, problems := Map(rows, Options{Forbund: "goteborg", Now: now})
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2: %+v\n%v", len(recs), recs, problems)
	}
	a, b := recs[0].Case, recs[1].Case
	if a.EventDate != "2024-03-15" || strings.Join(a.Parties, ",") != "FK,AF" || a.Level != "organisering" ||
		a.Status != store.StatusClosed || strings.Join(a.Themes, ",") != "sjukskrivning,intyg" ||
		strings.Contains(a.Description, "850312") || a.PIIFound != 1 || recs[0].Answer != "FK ser över rutinen." ||
		a.CreatedAt.Year() != 2024 || a.Forbund != "goteborg" {
		t.Errorf("row 2: %+v", recs[0])
	}
	if b.EventDate != "2024-04-15" || b.Status != store.StatusInDialogue || !strings.Contains(b.Description, "men tolk saknades") {
		t.Errorf("row 3: %+v", b)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`rad 5, kolumn "Datum", värde "32/13 2024": går inte att läsa som datum`,
		`rad 5, kolumn "Nivå", värde "hög": är ingen nivå`,
		`rad 5, kolumn "Status", värde "okänd": är ingen status`,
		`rad 5: raden har inget datum; raden importeras inte`,
		`rad 6: beskrivningen är tom; raden importeras inte`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	// The same row gives the same key; another row another.
	again, _ := Map(rows, Options{Forbund: "goteborg", Now: now})
	if again[0].Key != recs[0].Key || recs[0].Key == recs[1].Key {
		t.Error("row keys are not stable and distinct")
	}
}

func TestReadWindows1252AndXLSX(t *testing.T) {
	enc, err := charmap.Windows1252.NewEncoder().String(sheet)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "gammal.csv")
	os.WriteFile(csvPath, []byte(enc), 0o644)
	rows, err := Read(csvPath, "")
	if err != nil || rows[0][1] != "Anmälare" || rows[1][3] != "FK, AF" {
		t.Fatalf("Windows-1252 CSV: %v %q", err, rows[0])
	}

	f := excelize.NewFile()
	for r, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = v
		}
		f.SetSheetRow("Sheet1", cell, &vals)
	}
	xlsxPath := filepath.Join(dir, "gammal.xlsx")
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	xrows, err := Read(xlsxPath, "")
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := Map(xrows, Options{Forbund: "goteborg", Now: now})
	if len(recs) != 2 || recs[0].Case.EventDate != "2024-03-15" {
		t.Errorf("XLSX: %+v", recs)
	}
}

func TestMappingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "map.toml")
	os.WriteFile(path, []byte("[columns]\n\"Vad som hänt\" = \"description\"\n\"När\" = \"event_date\"\n\"Övrigt\" = \"-\"\n"), 0o644)
	m, err := LoadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, problems := Map([][]string{{"När", "Vad som hänt", "Övrigt"}, {"2025-01-02", "FK svarade inte.", "x"}}, Options{Mapping: m, Forbund: "x", Now: now})
	if len(recs) != 1 || recs[0].Case.Description != "FK svarade inte." || len(problems) != 0 {
		t.Errorf("%+v %v", recs, problems)
	}
	os.WriteFile(path, []byte("[columns]\n\"A\" = \"beskrivning\"\n"), 0o644)
	if _, err := LoadMapping(path); err == nil || !strings.Contains(err.Error(), "must be one of") {
		t.Errorf("a bad field: %v", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(sheet))
	f.Add([]byte("a,b\n\"x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ReadCSV(b)
		if err == nil {
			Map(rows, Options{Forbund: "x", Now: now})
		}
	})
}

// A date typed into Excel is a number with the built-in short date
// format; it must read as that date.
func TestXLSXDateCells(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Datum", "Beskrivning"})
	f.SetCellValue("Sheet1", "A2", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC))
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("Sheet1", "A2", "A2", style)
	f.SetCellValue("Sheet1", "B2", "FK svarade inte.")
	path := filepath.Join(t.TempDir(), "datum.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	rows, err := Read(path, "")
	if err != nil {
		t.Fatal(err)
	}
	recs, problems := Map(rows, Options{Forbund: "x", Now: now})
	if len(recs) != 1 || recs[0].Case.EventDate != "2024-03-15" {
		t.Errorf("%q → %+v %v", rows, recs, problems)
	}
}

func TestQuotedFormulaReadsBack(t *testing.T) {
	rows, _ := ReadCSV([]byte("Datum;Beskrivning\n2024-01-02;'=HYPERLINK(\"x\")\n"))
	recs, _ := Map(rows, Options{Forbund: "x", Now: now})
	if len(recs) != 1 || recs[0].Case.Description != `=HYPERLINK("x")` {
		t.Errorf("%+v", recs)
	}
}
