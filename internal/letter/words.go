package letter

import (
	"strconv"
	"time"
)

var months = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// MonthName is the Indonesian name of m.
func MonthName(m time.Month) string {
	if m < time.January || m > time.December {
		return strconv.Itoa(int(m))
	}
	return months[m-1]
}

// Date is t's date in words as letters write it, in t's location: "6 Desember 2026".
func Date(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + MonthName(t.Month()) + " " + strconv.Itoa(t.Year())
}

// PlaceDate is the line above the addressee: "Samarinda, 6 Desember 2026"; the date
// alone when the place is not set.
func PlaceDate(place string, t time.Time) string {
	if place == "" {
		return Date(t)
	}
	return place + ", " + Date(t)
}
