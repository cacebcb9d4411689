package demogen

import (
	"fmt"
	"math/rand/v2"
)

// curated are the names of the first sellers, in every script the reports must render: Polish,
// Greek, Cyrillic, accented Latin. Later sellers get generated names in the same spirit.
var curated = []struct{ name, country string }{
	{"Łódź Serwis", "PL"},
	{"Ανακαίνιση Αθηνών", "GR"},
	{"Ремонт Плюс", "BG"},
	{"Électronique Lyonnaise", "FR"},
	{"Müller & Söhne Refurb", "DE"},
	{"Reacondicionados Peña", "ES"},
	{"Rigenerati Forlì", "IT"},
	{"Göteborg Återbruk", "SE"},
	{"Přerov Elektro", "CZ"},
	{"Greenleaf Devices Ltd", "GB"},
	{"Telefoonhuis Ĳsselstein", "NL"},
	{"Reparações Évora", "PT"},
	{"Κινητά Θεσσαλονίκης", "GR"},
	{"Смарт Сервиз", "BG"},
	{"Gdańsk Odnowa", "PL"},
	{"Réparation Niçoise", "FR"},
}

// namePatterns builds names per country: a first word and a second word, in the order the
// language puts them.
var namePatterns = []struct {
	country      string
	first, other []string
}{
	{"PL", []string{"Łódź", "Kraków", "Gdańsk", "Wrocław", "Poznań", "Białystok", "Częstochowa", "Szczecin", "Toruń", "Rzeszów"},
		[]string{"Serwis", "Elektronika", "Odnowa", "Telefony", "Sprzęt", "Naprawa"}},
	{"GR", []string{"Ανακαίνιση", "Ηλεκτρονικά", "Κινητά", "Τεχνική", "Επισκευές", "Συσκευές"},
		[]string{"Αθηνών", "Θεσσαλονίκης", "Πάτρας", "Ηρακλείου", "Λάρισας", "Βόλου", "Ιωαννίνων"}},
	{"BG", []string{"Ремонт", "Техно", "Смарт", "Електроника", "Мобилни", "Дигитал"},
		[]string{"Плюс", "Сервиз", "Център", "Експрес", "София", "Пловдив", "Варна"}},
	{"FR", []string{"Électronique", "Téléphonie", "Réparation", "Boutique", "Maison", "Reconditionnée"},
		[]string{"Lyonnaise", "Parisienne", "Marseillaise", "Bordelaise", "Niçoise", "Lilloise", "Nantaise"}},
	{"DE", []string{"Müller", "Schäfer", "Groß", "Köhler", "Weiß", "Jäger", "Böhm"},
		[]string{"Technik", "Refurb", "Elektronik", "Geräte", "Handys"}},
	{"ES", []string{"Reacondicionados", "Electrónica", "Móviles", "Técnica", "Reparación"},
		[]string{"Peña", "Logroño", "Cádiz", "León", "Málaga", "Córdoba"}},
	{"IT", []string{"Rigenerati", "Elettronica", "Telefonia", "Tecnica", "Ricondizionati"},
		[]string{"Forlì", "Cantù", "Città", "Perù", "Mondovì", "Napoli"}},
	{"SE", []string{"Göteborg", "Malmö", "Västerås", "Örebro", "Umeå", "Linköping"},
		[]string{"Återbruk", "Teknik", "Mobil", "Elektronik"}},
	{"CZ", []string{"Přerov", "Brno", "Plzeň", "Ústí", "České Budějovice", "Třebíč"},
		[]string{"Elektro", "Servis", "Mobily", "Technika"}},
	{"GB", []string{"Greenleaf", "Northern", "Thames", "Pennine", "Harbour", "Cotswold", "Severn"},
		[]string{"Devices Ltd", "Refurb Ltd", "Phones", "Electronics", "Renewed"}},
	{"NL", []string{"Telefoonhuis", "Tweedehands", "Groene", "Hollandse", "Refurb"},
		[]string{"Ĳsselstein", "Utrecht", "Den Haag", "Zwolle", "Eindhoven"}},
	{"PT", []string{"Reparações", "Eletrónica", "Telemóveis", "Técnica"},
		[]string{"Évora", "Setúbal", "Braga", "Coimbra", "Guimarães"}},
}

// labOf names the marketplace lab that bench-tests a seller's stock, by country.
func labOf(country string) string {
	switch country {
	case "PL", "CZ", "BG", "GR":
		return "Warsaw lab"
	case "FR", "ES", "PT", "IT":
		return "Lyon lab"
	}
	return "Rotterdam lab"
}

// sellerNames returns n distinct names with their countries: the curated ones first, then
// generated ones; a generated name that is taken gets a branch number.
func sellerNames(r *rand.Rand, n int) [][2]string {
	out := make([][2]string, 0, n)
	taken := map[string]bool{}
	for _, c := range curated {
		if len(out) == n {
			return out
		}
		out = append(out, [2]string{c.name, c.country})
		taken[c.name] = true
	}
	for len(out) < n {
		p := namePatterns[r.IntN(len(namePatterns))]
		first, other := p.first[r.IntN(len(p.first))], p.other[r.IntN(len(p.other))]
		name := first + " " + other
		base := name
		for k := 2; taken[name]; k++ {
			name = fmt.Sprintf("%s %d", base, k)
		}
		taken[name] = true
		out = append(out, [2]string{name, p.country})
	}
	return out
}
