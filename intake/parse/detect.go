package parse

import (
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// Text without a charset label that is not UTF-8 is Windows-1252 here:
// Swedish Outlook and the other clients of Western Europe send it. Only
// the multi-byte charsets of Chinese, Japanese and Korean can be told from
// the bytes reliably, the way ICU tells them: the text decodes cleanly,
// and many of its characters are among the most frequent of the
// language. A detection library (ICU's port github.com/gogs/chardet,
// which enmime uses, or Python chardet's port github.com/wlynxg/chardet)
// would serve for these five charsets only, as its guesses of
// single-byte charsets are wrong too often for short Western text
// (wlynxg/chardet reads German in Windows-1252 as ISO-8859-9), so the
// few lines are ours.

// cjkCandidates are the charsets that unlabelled 8-bit text is tried in,
// in this order, each with the characters most frequent in its language.
var cjkCandidates = []struct {
	label  string
	common func(rune) bool
}{
	{"big5", isCommonChinese},
	{"gb18030", isCommonChinese},
	{"shift_jis", isCommonJapanese},
	{"euc-jp", isCommonJapanese},
	{"euc-kr", isCommonKorean},
}

// commonChinese holds about 330 of the most frequent characters of
// modern Chinese, in simplified and traditional forms, and the particles
// of the classical language.
const commonChinese = "的一是不了在人有我他这這个個们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那得于於着著下自之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動面起看定天分还還进進好小部其些主样樣理心她本前开開但因只从從想实實日军軍者意无無力它与與长長把机機十民第公此已工使情明性知全三又关關点點正业業外将將两兩高间間由问問很最重并物手应應战戰向头頭文体體政美相见見被利什二等产產或新己制身果加西月话話合回特代内內信表化老给給世位次度门門任常先海通教儿兒原东東声聲提立及比员員解水名真论論处處走义義各入几幾口认認条條平系气氣题題活尔爾更别別打女变變四总總何电電数數安少报報才结結反受目太量再感建务務做接必场場件计計曰矣焉乎哉"

// commonKorean holds 120 of the most frequent Hangul syllables.
const commonKorean = "이다의는에하고을를가지한기로서도사으대자리게아니수그것들나어인일시정해주있보전면적내라만부상중요말까합습었했되우생각오년여때문마경국장제공분화실동성원소간위관발결신계조회당안학야저비과외무방함교행물영연용같구개모미세선명천속산군단진터반재필"

// commonJapanese holds frequent kanji of Japanese, in running text and in
// the addresses and titles of business mail; kana count too.
const commonJapanese = "日本人年大中一出事会時上者分生行見国自的下前気同方後言思地長所子手入物私今間何高合目家意心話" +
	"様株式社部課東京都区市県町丁番号営業電件願確認連絡送信届書類資料議予定内田山月"

var (
	chineseSet  = runeSet(commonChinese)
	koreanSet   = runeSet(commonKorean)
	japaneseSet = runeSet(commonJapanese)
)

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, len(s)/3)
	for _, r := range s {
		m[r] = true
	}
	return m
}

func isCommonChinese(r rune) bool { return chineseSet[r] }
func isCommonKorean(r rune) bool  { return koreanSet[r] }

// isCommonJapanese: kana, but not the half-width katakana that
// Shift_JIS has for the bytes of Latin-1's capitals.
func isCommonJapanese(r rune) bool {
	return r >= 0x3041 && r <= 0x30ff || japaneseSet[r]
}

// unlabelled are the charset labels that say nothing of 8-bit text.
var unlabelled = map[string]bool{
	"": true, "us-ascii": true, "ascii": true, "x-unknown": true, "unknown-8bit": true, "unknown": true, "none": true,
}

// detectCJK reads b, 8-bit text that is not UTF-8 and has no charset label
// (or an unknown one), in the Chinese, Japanese or Korean charset it is
// written in, if it is one: its bytes are at least 3 in 10 of 8-bit
// (Western text has a few accented letters) and it reads best in that
// charset (see cjkScore).
func detectCJK(b []byte) (string, bool) {
	head := b[:min(len(b), 64<<10)]
	high, text := 0, 0
	for _, c := range head {
		if c >= 0x80 {
			high++
		}
		if c > ' ' {
			text++
		}
	}
	if high < 8 || high*10 < text*3 {
		return "", false
	}
	best, bestScore := "", 0.0
	for _, cand := range cjkCandidates {
		if s, ok := decodeWith(cand.label, head); ok {
			if score := cjkScore(s, cand.common); score > bestScore {
				best, bestScore = cand.label, score
			}
		}
	}
	if best == "" {
		return "", false
	}
	return decodeWith(best, b)
}

// cjkScore tells how well s, text decoded in a candidate charset, reads:
// the share of its non-ASCII characters that are among the language's
// most frequent, or 0 when that is under 1 in 5, when fewer than 3
// different ones occur, or when more than 1 in 50 of them did not decode
// (a wrong charset gives rare characters, and bytes it has none for).
func cjkScore(s string, common func(rune) bool) float64 {
	n, bad, hits := 0, 0, 0
	seen := map[rune]bool{}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			continue
		case r == utf8.RuneError, isC1(r), r >= 0xe000 && r <= 0xf8ff:
			bad++
		case common(r):
			hits++
			if len(seen) < 3 {
				seen[r] = true
			}
		}
		n++
	}
	if n == 0 || bad*50 > n || len(seen) < 3 || hits*5 < n {
		return 0
	}
	return float64(hits) / float64(n)
}

// decodeWith decodes b from charset cs.
func decodeWith(cs string, b []byte) (string, bool) {
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		return "", false
	}
	out, err := io.ReadAll(r)
	return string(out), err == nil && utf8.Valid(out)
}
