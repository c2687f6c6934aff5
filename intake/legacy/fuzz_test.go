package legacy

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// xlsxSeed is a small workbook as a förbund's sheet looks: a header, a
// row of text, a date typed into Excel, a formula and a second sheet.
func xlsxSeed(f *testing.F) []byte {
	f.Helper()
	x := excelize.NewFile()
	defer x.Close()
	x.SetSheetRow("Sheet1", "A1", &[]any{"Datum", "Anmälare", "Berörda parter", "Beskrivning", "Nivå", "Status", "Tema", "Okänd:"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"2024-03-15", "Anna", "FK, AF", "Sjukpenningen drogs in för 850312-1231.", "organisering", "avslutad", "intyg; sjukskrivning", "x"})
	x.SetCellValue("Sheet1", "A3", time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC))
	style, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	x.SetCellStyle("Sheet1", "A3", "A3", style)
	x.SetCellValue("Sheet1", "D3", "'=HYPERLINK(\"http://evil.example\")")
	x.SetCellFormula("Sheet1", "E3", "CONCAT(\"str\",\"uktur\")")
	x.NewSheet("Blad2")
	x.SetCellValue("Blad2", "B7", 42)
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}

// FuzzReadXLSX feeds bytes to Read as an .xlsx file (a sheet a förbund
// sends in) and maps what it reads: neither may panic, Read may not take
// a gigabyte, and what Map returns must be importable.
func FuzzReadXLSX(f *testing.F) {
	seed := xlsxSeed(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2]) // cut off
	f.Add([]byte(sheet))      // CSV named .xlsx
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		tmp, err := os.CreateTemp(dir, "*.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		path := tmp.Name()
		defer os.Remove(path)
		if _, err := tmp.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := tmp.Close(); err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(path) != ".xlsx" {
			t.Fatalf("temporary file %s is not .xlsx", path)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows, err := Read(path, "")
		runtime.ReadMemStats(&after)
		// A zip declares its parts' sizes; what it declares must not be
		// what Read allocates.
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<30 {
			t.Fatalf("reading %d bytes allocated %d MB", len(b), n>>20)
		}
		if err != nil {
			return
		}
		recs, _ := Map(rows, Options{Forbund: "x", Now: now})
		for _, r := range recs {
			if r.Case.Description == "" || r.Case.Forbund == "" || r.Case.CreatedAt.IsZero() || r.Key == "" {
				t.Errorf("an unimportable record: %+v", r)
			}
		}
	})
}
