package casework

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lexheller/intake/form"
	"lexheller/intake/legacy"
	"lexheller/intake/store"
)

// importSheet is an old sheet with a personnummer, in some spelling, in
// every cell that holds text: its rows and the numbers' ten-digit cores.
func importSheet() (rows [][]string, cores []string) {
	n := 0
	pnr := func() string {
		n++
		d9 := fmt.Sprintf("7%d03%02d%03d", n%10, 1+n%28, 200+n)
		d := d9 + lkCheck(d9)
		cores = append(cores, d)
		switch n % 6 {
		case 0:
			return d[:6] + "-" + d[6:]
		case 1:
			return "19" + d[:6] + "-" + d[6:]
		case 2:
			return d[:2] + " " + d[2:4] + " " + d[4:6] + "-" + d[6:]
		case 3:
			return lkInScript(d[:6]+"-"+d[6:], '０')
		case 4:
			return d[:6] + "-\n" + d[6:]
		}
		return d
	}
	rows = [][]string{{"Ärende", "Mottaget", "Datum", "Namn", "E-post", "Telefon", "Organisation", "Förbund", "Berörda parter",
		"Beskrivning", "Konsekvens", "Förslag", "Nivå", "Tema", "Status", "Svar", "Kolumn " + pnr()}}
	rows = append(rows, []string{"LH-7 " + pnr(), "2024-03-15", "2024-03-14", "Anna " + pnr(), "anna@af.example",
		"070-612 34 56, " + pnr(), "AF Angered " + pnr(), "goteborg", "FK, Annan: hyresvärden för " + pnr(),
		"Personen " + pnr() + " fick avslag.", "Utan inkomst, " + pnr(), "Rutin för " + pnr(), "Organisering " + pnr(),
		"sjukskrivning, " + pnr() + ", intyg", "Besvarad " + pnr(), "FK svarar om " + pnr(), "x " + pnr()})
	// A row in another förbund, named by a number.
	rows = append(rows, []string{"LH-8", "2024-04-02", "", "", "", "", "", "Göteborg " + pnr(), "AF", "Beskrivning " + pnr(), "", "", "", "", "", "", ""})
	// Rows that are not imported: their cells show in problem lines.
	rows = append(rows, []string{"LH-9", pnr(), pnr(), "", "", "", "", "", "", "Beskrivning " + pnr(), "", "", pnr(), "", pnr(), "", ""})
	return rows, cores
}

// writeSheet writes rows as CSV (Swedish Excel's) or XLSX into dir.
func writeSheet(t *testing.T, dir, name string, rows [][]string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if strings.HasSuffix(name, ".xlsx") {
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
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var b strings.Builder
	for _, row := range rows {
		for i, v := range row {
			if i > 0 {
				b.WriteByte(';')
			}
			b.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
		}
		b.WriteString("\r\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// dbTexts returns every value of every row of every table, as text.
func dbTexts(t *testing.T, db *sql.DB) []string {
	t.Helper()
	ctx := context.Background()
	tables, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	var out []string
	for _, name := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				default:
					continue
				}
				// A row's key is a hash of its masked content: hex digits
				// are no number anyone wrote.
				if name == "imports" && cols[i] == "key" {
					continue
				}
				out = append(out, name+"."+cols[i]+": "+s)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// TestImportMasksEveryCell: an old sheet, as CSV and as XLSX, with a
// personnummer in its file name and in every cell, is imported; no number
// survives in the database (the cases, their timelines and answers, the
// import's records), in what Import reports or in the problem lines, and
// each case counts the numbers its cells held.
func TestImportMasksEveryCell(t *testing.T) {
	for _, ext := range []string{"csv", "xlsx"} {
		t.Run(ext, func(t *testing.T) {
			p := newProcessor(t)
			rows, cores := importSheet()
			d9 := "850312123"
			cores = append(cores, d9+lkCheck(d9))
			path := writeSheet(t, t.TempDir(), "ärenden "+d9[:6]+"-"+d9[6:]+lkCheck(d9)+"."+ext, rows)
			read, err := legacy.Read(path, "")
			if err != nil {
				t.Fatal(err)
			}
			// The control: the detector sees every number in what was read.
			if all, _, _ := lkDigits(path + fmt.Sprint(read)); !func() bool {
				for _, c := range cores {
					if !strings.Contains(all, c) {
						return false
					}
				}
				return true
			}() {
				t.Fatalf("the sheet as read lacks numbers: %q", read)
			}
			recs, problems := legacy.Map(read, legacy.Options{Forbund: "goteborg", Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)})
			res, err := p.Import(context.Background(), recs, path, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Created) != 2 {
				t.Fatalf("created %v; problems %v", res.Created, problems)
			}
			texts := dbTexts(t, p.Store.DB())
			texts = append(texts, res.Created...)
			texts = append(texts, res.Again...)
			for _, pr := range problems {
				texts = append(texts, pr.String())
			}
			for _, s := range texts {
				d, _, _ := lkDigits(s)
				for _, core := range cores {
					if strings.Contains(d, core) {
						t.Errorf("%s survives: %q", core, s)
					}
				}
				if pii := form.FindPII(s); len(pii) > 0 {
					t.Errorf("%v in %q", pii, s)
				}
			}
			cases, err := p.Store.Cases(context.Background(), store.CaseFilter{})
			if err != nil {
				t.Fatal(err)
			}
			found := 0
			for _, c := range cases {
				found += c.PIIFound
				tl, err := p.Store.Timeline(context.Background(), c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(tl) == 0 || !strings.Contains(tl[0].Summary, "ärenden "+form.Mask10) {
					t.Errorf("%s: timeline %+v", c.ID, tl)
				}
			}
			if found != 12+2 {
				t.Errorf("the cases count %d numbers, want 14", found)
			}
		})
	}
}
