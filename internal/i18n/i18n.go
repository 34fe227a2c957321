// Package i18n holds the portal's words in Indonesian (the default) and English. Keys are
// stable identifiers; a test checks both languages define the same keys and arguments.
package i18n

import (
	"fmt"
	"strings"
)

// Default is the language of a visitor who chose none.
const Default = "id"

// Langs are the supported languages, in the order the switcher shows them.
var Langs = []string{"id", "en"}

var catalogs = map[string]map[string]string{"id": id, "en": en}

// Supported tells whether lang is one of Langs.
func Supported(lang string) bool { _, ok := catalogs[lang]; return ok }

// T translates key into lang, filling fmt verbs from args. A missing key shows itself,
// which the catalogue test catches before a user does.
func T(lang, key string, args ...any) string {
	c, ok := catalogs[lang]
	if !ok {
		c = catalogs[Default]
	}
	s, ok := c[key]
	if !ok {
		if s, ok = catalogs[Default][key]; !ok {
			return key
		}
	}
	if len(args) == 0 && !strings.Contains(s, "%") {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has tells whether key is defined.
func Has(key string) bool { _, ok := catalogs[Default][key]; return ok }

// Keys lists the keys of a language, for tests.
func Keys(lang string) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	return out
}
