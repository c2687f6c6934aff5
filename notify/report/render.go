package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"lexheller/notify/guard"
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
	fmt.Fprintf(&b, "\n%s\n", Title(r.Lang, "forwards"))
	if len(r.Forwards) == 0 {
		fmt.Fprintf(&b, "  %s\n", r.say("(inget vidarebefordrat)", "(nothing forwarded)"))
	}
	for _, f := range r.Forwards {
		fmt.Fprintf(&b, "  %-8s %s %3d, %s %3d\n", f.Party, r.say("väntar", "waiting"), f.Open, r.say("besvarade", "answered"), f.AnsweredSince)
	}
	fmt.Fprintf(&b, "\n%s\n", Title(r.Lang, "party_levels"))
	if len(r.PartyLevels) == 0 {
		fmt.Fprintf(&b, "  %s\n", r.say("(inga)", "(none)"))
	} else {
		fmt.Fprintf(&b, "  %-8s", "")
		for _, l := range LevelKeys {
			fmt.Fprintf(&b, " %13s", r.LevelHeading(l))
		}
		b.WriteString("\n")
	}
	for _, pl := range r.PartyLevels {
		fmt.Fprintf(&b, "  %-8s", pl.Party)
		for _, n := range pl.Counts {
			fmt.Fprintf(&b, " %13d", n)
		}
		b.WriteString("\n")
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
	_, err := io.WriteString(w, guard.Text(guard.Report, "text report", b.String()))
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
			v = guard.Text(guard.Report, "CSV report, case "+c.ID, v)
			cells[i] = v
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
			for j, v := range row {
				if s, ok := v.(string); ok {
					row[j] = guard.Text(guard.Report, "XLSX report, sheet "+name, s)
				}
			}
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
// Outlook shows) and a bar of inline SVG beside each row for browsers. The
// page is the template html/report.html.tmpl of r.Pages (the embedded one
// when nil).
func (r *Report) HTML(w io.Writer) error {
	var b bytes.Buffer
	if err := r.Pages.Render(&b, templates.PageReport, r); err != nil {
		return err
	}
	_, err := w.Write(guard.Bytes(guard.Report, "HTML report", b.Bytes()))
	return err
}

// Heading is dimension dim's heading in the report's language (Title).
func (r *Report) Heading(dim string) string { return Title(r.Lang, dim) }

// Max is the largest count of the dimension, in the period or the one
// before: the full length of its bars in the HTML report.
func (d Dimension) Max() int {
	m := 0
	for _, r := range d.Rows {
		m = max(m, r.Now, r.Before)
	}
	return m
}

// MedianDays is the median in days, with one decimal (Days).
func (t Timing) MedianDays() string { return Days(t.Median) }
