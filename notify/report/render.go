package report

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"lexheller/templates"
)

func (r *Report) say(sv, en string) string {
	if templates.Lang(r.Lang) == "en" {
		return en
	}
	return sv
}

// noBefore is what a "before" or "change" cell says when there is no
// period before to compare with.
const noBefore = "–"

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Text writes the report as plain text.
func (r *Report) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.say("Lex Heller: mönsterrapport", "Lex Heller: pattern report"), r.Period())
	if len(r.Forbund) > 0 {
		names := make([]string, len(r.Forbund))
		for i, f := range r.Forbund {
			names[i] = r.ForbundName(f)
		}
		fmt.Fprintf(&b, "%s: %s\n", r.say("Förbund", "Förbund"), strings.Join(names, ", "))
	}
	if r.PrevTotal > 0 {
		fmt.Fprintf(&b, "%s: %d (%s: %d, %s)\n", r.say("Ärenden", "Cases"), r.Total, r.say("perioden före", "the period before"),
			r.PrevTotal, signed(r.Total-r.PrevTotal))
	} else {
		fmt.Fprintf(&b, "%s: %d (%s)\n", r.say("Ärenden", "Cases"), r.Total, r.say("inga ärenden perioden före", "no cases the period before"))
	}
	for _, d := range r.Dimensions {
		fmt.Fprintf(&b, "\n%s\n", Title(r.Lang, d.Name))
		if len(d.Rows) == 0 {
			fmt.Fprintf(&b, "  %s\n", r.say("(inga)", "(none)"))
		}
		for _, row := range d.Rows {
			if d.Name == "months" {
				fmt.Fprintf(&b, "  %-32s %5d\n", row.Key, row.Now)
				continue
			}
			if !row.HasBefore {
				fmt.Fprintf(&b, "  %-32s %5d  %s %5s  %5s\n", row.Key, row.Now, r.say("före", "before"), noBefore, noBefore)
				continue
			}
			fmt.Fprintf(&b, "  %-32s %5d  %s %5d  %5s\n", row.Key, row.Now, r.say("före", "before"), row.Before, signed(row.Change()))
		}
	}
	fmt.Fprintf(&b, "\n%s\n", Title(r.Lang, "timings"))
	if len(r.Timings) == 0 {
		fmt.Fprintf(&b, "  %s\n", r.say("(inget vidarebefordrat)", "(nothing forwarded)"))
	}
	for _, t := range r.Timings {
		med := "–"
		if t.Answered > 0 {
			med = Days(t.Median) + r.say(" dagar", " days")
		}
		fmt.Fprintf(&b, "  %-8s %s %-12s %s %d, %s %d\n", t.Party, r.say("median", "median"), med,
			r.say("besvarade", "answered"), t.Answered, r.say("obesvarade", "unanswered"), t.Unanswered)
	}
	fmt.Fprintf(&b, "\n%s\n", Title(r.Lang, "open"))
	for _, row := range r.OpenByAge {
		fmt.Fprintf(&b, "  %-8s %5d\n", row.Key, row.Now)
	}
	fmt.Fprintf(&b, "\n%s\n", Title(r.Lang, "top"))
	if len(r.TopThemes) == 0 {
		fmt.Fprintf(&b, "  %s\n", r.say("(inga teman)", "(no themes)"))
	}
	for _, t := range r.TopThemes {
		fmt.Fprintf(&b, "  %-24s %3d  %s\n", t.Theme, len(t.IDs), strings.Join(t.IDs, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CaseHeader is the cases sheet's header row.
func (r *Report) CaseHeader() []string {
	if templates.Lang(r.Lang) == "en" {
		return []string{"Case", "Received", "Date of event", "Förbund", "Parties", "Level", "Themes", "Status", "Description"}
	}
	return []string{"Ärende", "Mottaget", "Händelsedatum", "Förbund", "Parter", "Nivå", "Teman", "Status", "Beskrivning"}
}

func (c CaseRow) cells() []string {
	return []string{c.ID, c.Created, c.EventDate, c.Forbund, c.Parties, c.Level, c.Themes, c.Status, c.Description}
}

// CSV writes the cases sheet as Swedish Excel reads it: UTF-8 with a byte
// order mark, fields separated by semicolons.
func (r *Report) CSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(r.CaseHeader()); err != nil {
		return err
	}
	for _, c := range r.Cases {
		cells := c.cells()
		for i, v := range cells {
			// A cell starting like a formula is one to Excel: quote it.
			// Tab and CR are on OWASP's list of such first characters too.
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				cells[i] = "'" + v
			}
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// XLSX writes a workbook: one sheet a dimension, and the cases ready for
// a pivot table.
func (r *Report) XLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	first := true
	sheet := func(name string, header []string, rows [][]any) error {
		if first {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := f.SetSheetRow(name, "A1", &header); err != nil {
			return err
		}
		end, _ := excelize.CoordinatesToCellName(len(header), 1)
		f.SetCellStyle(name, "A1", end, bold)
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				return err
			}
		}
		return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	now, before, change := r.say("Perioden", "Period"), r.say("Perioden före", "Period before"), r.say("Förändring", "Change")
	for _, d := range r.Dimensions {
		var rows [][]any
		header := []string{Title(r.Lang, d.Name), now, before, change}
		for _, row := range d.Rows {
			switch {
			case d.Name == "months": // the period only
				rows = append(rows, []any{row.Key, row.Now})
			case row.HasBefore:
				rows = append(rows, []any{row.Key, row.Now, row.Before, row.Change()})
			default: // nothing to compare with: empty cells
				rows = append(rows, []any{row.Key, row.Now, nil, nil})
			}
		}
		if d.Name == "months" {
			header = header[:2]
		}
		if err := sheet(sheetName(Title(r.Lang, d.Name)), header, rows); err != nil {
			return err
		}
	}
	var rows [][]any
	for _, t := range r.Timings {
		med := any("")
		if t.Answered > 0 {
			med = t.Median.Hours() / 24
		}
		rows = append(rows, []any{t.Party, t.Answered, med, t.Unanswered})
	}
	if err := sheet(sheetName(Title(r.Lang, "timings")), []string{r.say("Part", "Party"), r.say("Besvarade", "Answered"),
		r.say("Median (dagar)", "Median (days)"), r.say("Obesvarade", "Unanswered")}, rows); err != nil {
		return err
	}
	rows = nil
	for _, row := range r.OpenByAge {
		rows = append(rows, []any{row.Key, row.Now})
	}
	if err := sheet(sheetName(Title(r.Lang, "open")), []string{r.say("Ålder (dagar)", "Age (days)"), r.say("Öppna", "Open")}, rows); err != nil {
		return err
	}
	// The cases, streamed: tens of thousands of rows.
	name := Title(r.Lang, "cases")
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	var head []any
	for _, h := range r.CaseHeader() {
		head = append(head, excelize.Cell{StyleID: bold, Value: h})
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := make([]any, len(head))
	for i, c := range r.Cases {
		for j, v := range c.cells() {
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if idx, err := f.GetSheetIndex(Title(r.Lang, "cases")); err == nil {
		f.SetActiveSheet(idx)
	}
	return f.Write(w)
}

// sheetName fits a title to Excel's 31 characters and its forbidden
// characters.
func sheetName(s string) string {
	s = strings.NewReplacer("(", "", ")", "", ":", "", "/", "-", "?", "", "*", "", "[", "", "]", "").Replace(s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return strings.TrimSpace(s)
}

// HTML writes one self-contained page: tables with the numbers (what
// Outlook shows) and a bar of inline SVG beside each row for browsers.
func (r *Report) HTML(w io.Writer) error {
	return htmlTmpl.Execute(w, r)
}

// Bar is the width, 0–160, of n as part of max.
func bar(n, max int) int {
	if max <= 0 {
		return 0
	}
	return n * 160 / max
}

func maxNow(rows []Row) int {
	m := 0
	for _, r := range rows {
		m = max(m, r.Now, r.Before)
	}
	return m
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"title": Title, "signed": signed, "bar": bar, "max": maxNow, "days": Days,
	"lang": func(l string) string { return templates.Lang(l) },
	"say":  func(r *Report, sv, en string) string { return r.say(sv, en) },
}).Parse(`<!DOCTYPE html>
<html lang="{{lang .Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lex Heller {{.Period}}</title>
<style>
body{font-family:Segoe UI,Arial,sans-serif;color:#1d2b36;max-width:860px;margin:24px auto;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #c9d3dc;padding-bottom:4px}
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{padding:4px 8px;text-align:left;border-bottom:1px solid #eef1f4;font-size:14px}
th{background:#f3f6f8}td:first-child,th:first-child{width:34%}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#66737f}.ex{margin:4px 0 10px}.ex p{margin:2px 0 8px}
</style></head><body>
<h1>{{say . "Lex Heller: mönsterrapport" "Lex Heller: pattern report"}}</h1>
<p>{{say . "Period" "Period"}}: <b>{{.Period}}</b>{{if .Forbund}} · {{range $i, $f := .Forbund}}{{if $i}}, {{end}}{{$.ForbundName $f}}{{end}}{{end}}<br>
{{say . "Ärenden" "Cases"}}: <b>{{.Total}}</b> <span class="muted">({{if .PrevTotal}}{{say . "perioden före" "the period before"}}: {{.PrevTotal}}{{else}}{{say . "inga ärenden perioden före" "no cases the period before"}}{{end}})</span></p>
{{range .Dimensions}}{{$max := max .Rows}}{{$dim := .Name}}
<h2>{{title $.Lang .Name}}</h2>
<table role="table"><tr><th>{{title $.Lang .Name}}</th><th></th><th class="n">{{say $ "Perioden" "Period"}}</th>{{if ne $dim "months"}}<th class="n">{{say $ "Före" "Before"}}</th><th class="n">±</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.Key}}</td><td width="170"><svg width="164" height="12" role="img" aria-label="{{.Now}}"><rect width="{{bar .Now $max}}" height="12" fill="#2f6f9f"></rect></svg></td><td class="n">{{.Now}}</td>{{if ne $dim "months"}}{{if .HasBefore}}<td class="n">{{.Before}}</td><td class="n">{{signed .Change}}</td>{{else}}<td class="n muted">–</td><td class="n muted">–</td>{{end}}{{end}}</tr>
{{else}}<tr><td colspan="5" class="muted">{{say $ "(inga)" "(none)"}}</td></tr>{{end}}</table>
{{end}}
<h2>{{title .Lang "timings"}}</h2>
<table><tr><th>{{say . "Part" "Party"}}</th><th class="n">{{say . "Median (dagar)" "Median (days)"}}</th><th class="n">{{say . "Besvarade" "Answered"}}</th><th class="n">{{say . "Obesvarade" "Unanswered"}}</th></tr>
{{range .Timings}}<tr><td>{{.Party}}</td><td class="n">{{if .Answered}}{{days .Median}}{{else}}–{{end}}</td><td class="n">{{.Answered}}</td><td class="n">{{.Unanswered}}</td></tr>
{{else}}<tr><td colspan="4" class="muted">{{say . "(inget vidarebefordrat)" "(nothing forwarded)"}}</td></tr>{{end}}</table>
<h2>{{title .Lang "open"}}</h2>
<table><tr><th>{{say . "Ålder" "Age"}}</th><th class="n">{{say . "Öppna" "Open"}}</th></tr>
{{range .OpenByAge}}<tr><td>{{.Key}}</td><td class="n">{{.Now}}</td></tr>{{end}}</table>
<h2>{{title .Lang "top"}}</h2>
<table><tr><th>{{say . "Tema" "Theme"}}</th><th class="n">{{say . "Ärenden" "Cases"}}</th><th>{{say . "Ärendenummer" "Case IDs"}}</th></tr>
{{range .TopThemes}}<tr><td>{{.Theme}}</td><td class="n">{{len .IDs}}</td><td>{{range $i, $id := .IDs}}{{if $i}}, {{end}}{{$id}}{{end}}</td></tr>
{{else}}<tr><td colspan="3" class="muted">{{say . "(inga teman)" "(no themes)"}}</td></tr>{{end}}</table>
{{/* Examples to discuss: in the HTML report only, not in the text, CSV or XLSX. */}}
<h2>{{say . "Exempel att diskutera" "Examples to discuss"}}</h2>
{{range .Examples}}<h3>{{.Theme}}</h3>
{{range .Cases}}<div class="ex"><b>{{.ID}}</b> <span class="muted">{{.Month}}</span><p>{{.Description}}</p></div>
{{end}}{{else}}<p class="muted">{{say . "Inget publicerat ärende bland de vanligaste temana." "No published case among the most frequent themes."}}</p>
{{end}}<p class="muted">{{say . "Rapporten innehåller inga personuppgifter: inga namn, adresser, telefonnummer eller personnummer." "The report holds no personal data: no names, addresses, phone numbers or personnummer."}}</p>
</body></html>
`))
