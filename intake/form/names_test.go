package form

import (
	"reflect"
	"testing"
)

func TestLikelyNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Deltagaren Kalle Svensson fick avslag av FK.", []string{"Kalle Svensson"}},
		{"Personen heter inte så, men hen heter Robin.", []string{"Robin"}},
		{"Anna Andersson på AF ringde; klienten Olsson väntar.", []string{"Anna Andersson", "Olsson"}},
		{"FK och AF talade inte med varandra. Försäkringskassan drog in sjukpenningen.", nil},
		{"Kalle. Svensson", nil},
		{"personen var sjukskriven i Göteborg", nil},
	}
	for _, tt := range tests {
		if got := LikelyNames(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LikelyNames(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
