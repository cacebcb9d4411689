package sampling_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/sampling"
)

// specTables is lots.md §8 as the spec prints it, copied here by hand from the spec and parsed
// by the tests, independently of the package's own tables: every cell of the package is held to
// this text.
const specTables = `
### Table I — sample size code letter
| lot size | level I | level II | level III |
|---|---|---|---|
| 2–8 | A | A | B |
| 9–15 | A | B | C |
| 16–25 | B | C | D |
| 26–50 | C | D | E |
| 51–90 | C | E | F |
| 91–150 | D | F | G |
| 151–280 | E | G | H |
| 281–500 | F | H | J |
| 501–1,200 | G | J | K |
| 1,201–3,200 | H | K | L |
| 3,201–10,000 | J | L | M |
| 10,001–35,000 | K | M | N |
| 35,001–150,000 | L | N | P |
| 150,001–500,000 | M | P | Q |
| 500,001 and over | N | Q | R |
### Single sampling plans, normal inspection (arrows already followed): n Ac/Re
| code letter | AQL 0.65 | AQL 1.0 | AQL 1.5 | AQL 2.5 | AQL 4.0 | AQL 6.5 |
|---|---|---|---|---|---|---|
| A | 20 0/1 | 13 0/1 | 8 0/1 | 5 0/1 | 3 0/1 | 2 0/1 |
| B | 20 0/1 | 13 0/1 | 8 0/1 | 5 0/1 | 3 0/1 | 2 0/1 |
| C | 20 0/1 | 13 0/1 | 8 0/1 | 5 0/1 | 3 0/1 | 8 1/2 |
| D | 20 0/1 | 13 0/1 | 8 0/1 | 5 0/1 | 13 1/2 | 8 1/2 |
| E | 20 0/1 | 13 0/1 | 8 0/1 | 20 1/2 | 13 1/2 | 13 2/3 |
| F | 20 0/1 | 13 0/1 | 32 1/2 | 20 1/2 | 20 2/3 | 20 3/4 |
| G | 20 0/1 | 50 1/2 | 32 1/2 | 32 2/3 | 32 3/4 | 32 5/6 |
| H | 80 1/2 | 50 1/2 | 50 2/3 | 50 3/4 | 50 5/6 | 50 7/8 |
| J | 80 1/2 | 80 2/3 | 80 3/4 | 80 5/6 | 80 7/8 | 80 10/11 |
| K | 125 2/3 | 125 3/4 | 125 5/6 | 125 7/8 | 125 10/11 | 125 14/15 |
| L | 200 3/4 | 200 5/6 | 200 7/8 | 200 10/11 | 200 14/15 | 200 21/22 |
| M | 315 5/6 | 315 7/8 | 315 10/11 | 315 14/15 | 315 21/22 | 200 21/22 |
| N | 500 7/8 | 500 10/11 | 500 14/15 | 500 21/22 | 315 21/22 | 200 21/22 |
| P | 800 10/11 | 800 14/15 | 800 21/22 | 500 21/22 | 315 21/22 | 200 21/22 |
| Q | 1250 14/15 | 1250 21/22 | 800 21/22 | 500 21/22 | 315 21/22 | 200 21/22 |
| R | 2000 21/22 | 1250 21/22 | 800 21/22 | 500 21/22 | 315 21/22 | 200 21/22 |
### Single sampling plans, tightened inspection (arrows already followed): n Ac/Re
| code letter | AQL 0.65 | AQL 1.0 | AQL 1.5 | AQL 2.5 | AQL 4.0 | AQL 6.5 |
|---|---|---|---|---|---|---|
| A | 32 0/1 | 20 0/1 | 13 0/1 | 8 0/1 | 5 0/1 | 3 0/1 |
| B | 32 0/1 | 20 0/1 | 13 0/1 | 8 0/1 | 5 0/1 | 3 0/1 |
| C | 32 0/1 | 20 0/1 | 13 0/1 | 8 0/1 | 5 0/1 | 13 1/2 |
| D | 32 0/1 | 20 0/1 | 13 0/1 | 8 0/1 | 20 1/2 | 13 1/2 |
| E | 32 0/1 | 20 0/1 | 13 0/1 | 32 1/2 | 20 1/2 | 13 1/2 |
| F | 32 0/1 | 20 0/1 | 50 1/2 | 32 1/2 | 20 1/2 | 20 2/3 |
| G | 32 0/1 | 80 1/2 | 50 1/2 | 32 1/2 | 32 2/3 | 32 3/4 |
| H | 125 1/2 | 80 1/2 | 50 1/2 | 50 2/3 | 50 3/4 | 50 5/6 |
| J | 125 1/2 | 80 1/2 | 80 2/3 | 80 3/4 | 80 5/6 | 80 8/9 |
| K | 125 1/2 | 125 2/3 | 125 3/4 | 125 5/6 | 125 8/9 | 125 12/13 |
| L | 200 2/3 | 200 3/4 | 200 5/6 | 200 8/9 | 200 12/13 | 200 18/19 |
| M | 315 3/4 | 315 5/6 | 315 8/9 | 315 12/13 | 315 18/19 | 200 18/19 |
| N | 500 5/6 | 500 8/9 | 500 12/13 | 500 18/19 | 315 18/19 | 200 18/19 |
| P | 800 8/9 | 800 12/13 | 800 18/19 | 500 18/19 | 315 18/19 | 200 18/19 |
| Q | 1250 12/13 | 1250 18/19 | 800 18/19 | 500 18/19 | 315 18/19 | 200 18/19 |
| R | 2000 18/19 | 1250 18/19 | 800 18/19 | 500 18/19 | 315 18/19 | 200 18/19 |
`

// specTable is one table of specTables: its rows, each the cells after the row heading.
type specTable struct {
	rows [][]string // rows[i][0] is the heading (lot size range or code letter)
}

// parseSpecTables splits specTables into its three tables, keyed by the heading's first word
// after "###": "Table" (Table I), "normal" and "tightened".
func parseSpecTables(t *testing.T) map[string]specTable {
	t.Helper()
	out := map[string]specTable{}
	var key string
	for _, line := range strings.Split(specTables, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "### Table I"):
			key = "Table I"
		case strings.HasPrefix(line, "### Single sampling plans, normal"):
			key = "normal"
		case strings.HasPrefix(line, "### Single sampling plans, tightened"):
			key = "tightened"
		case strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			if cells[0] == "lot size" || cells[0] == "code letter" || strings.HasPrefix(cells[0], "---") {
				continue
			}
			tb := out[key]
			tb.rows = append(tb.rows, cells)
			out[key] = tb
		}
	}
	require.Len(t, out["Table I"].rows, 15)
	require.Len(t, out["normal"].rows, 16)
	require.Len(t, out["tightened"].rows, 16)
	return out
}

// atoi parses a number as the spec writes it, with thousands separators.
func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	require.NoError(t, err, s)
	return n
}

// parseCell reads a plan cell "n Ac/Re".
func parseCell(t *testing.T, s string) sampling.ClassPlan {
	t.Helper()
	n, acre, ok := strings.Cut(s, " ")
	require.True(t, ok, s)
	ac, re, ok := strings.Cut(acre, "/")
	require.True(t, ok, s)
	return sampling.ClassPlan{SampleSize: atoi(t, n), Accept: atoi(t, ac), Reject: atoi(t, re)}
}

// specAQLs are the plan tables' columns in order.
var specAQLs = []sampling.AQL{sampling.AQL0_65, sampling.AQL1_0, sampling.AQL1_5, sampling.AQL2_5, sampling.AQL4_0, sampling.AQL6_5}

// specLevels are Table I's columns in order.
var specLevels = []sampling.Level{sampling.LevelI, sampling.LevelII, sampling.LevelIII}

func TestLookupEveryCell(t *testing.T) {
	tables := parseSpecTables(t)
	heading := "| code letter |"
	for _, aql := range specAQLs {
		heading += " AQL " + aql.String() + " |"
	}
	assert.Equal(t, 2, strings.Count(specTables, heading+"\n"), "both tables' columns are the AQLs in this order")
	for _, sev := range []sampling.Severity{sampling.Normal, sampling.Tightened} {
		for _, row := range tables[string(sev)].rows {
			require.Len(t, row, 7, "a code letter and six AQLs")
			letter := sampling.CodeLetter(row[0])
			for i, aql := range specAQLs {
				t.Run(string(sev)+"/"+row[0]+"/"+aql.String(), func(t *testing.T) {
					got, err := sampling.Lookup(sev, letter, aql)
					require.NoError(t, err)
					assert.Equal(t, parseCell(t, row[i+1]), got)
				})
			}
		}
	}
}

// TestLetterEveryBoundary reads Table I at both ends of every row at each level: 2 and 8, 9 and
// 15, …, 500,000 and 500,001, and the largest lot size a lot may state.
func TestLetterEveryBoundary(t *testing.T) {
	tables := parseSpecTables(t)
	prev := sampling.MinLotSize - 1
	for _, row := range tables["Table I"].rows {
		require.Len(t, row, 4, "a lot size range and three levels")
		var lo, hi int
		if from, ok := strings.CutSuffix(row[0], " and over"); ok {
			lo, hi = atoi(t, from), sampling.MaxLotSize
		} else {
			a, b, ok := strings.Cut(row[0], "–")
			require.True(t, ok, row[0])
			lo, hi = atoi(t, a), atoi(t, b)
		}
		require.Equal(t, prev+1, lo, "the rows leave no lot size out")
		prev = hi
		for i, level := range specLevels {
			want := sampling.CodeLetter(row[i+1])
			for _, size := range []int{lo, hi} {
				t.Run(string(level)+"/"+strconv.Itoa(size), func(t *testing.T) {
					got, err := sampling.Letter(size, level)
					require.NoError(t, err)
					assert.Equal(t, want, got)
				})
			}
		}
	}
}

func TestLetterRefusesOutOfRange(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		level sampling.Level
	}{
		{"a lot of one", 1, sampling.LevelII},
		{"no lot", 0, sampling.LevelII},
		{"above the largest lot", sampling.MaxLotSize + 1, sampling.LevelII},
		{"no level", 100, ""},
		{"an unknown level", 100, "IV"},
		{"a special level", 100, "S-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sampling.Letter(tt.size, tt.level)
			assert.ErrorIs(t, err, sampling.ErrInput)
		})
	}
}

func TestLookupRefusesUnknownInput(t *testing.T) {
	tests := []struct {
		name   string
		sev    sampling.Severity
		letter sampling.CodeLetter
		aql    sampling.AQL
	}{
		{"reduced inspection", "reduced", "K", sampling.AQL1_0},
		{"no severity", "", "K", sampling.AQL1_0},
		{"letter I, which the standard skips", sampling.Normal, "I", sampling.AQL1_0},
		{"letter O, which the standard skips", sampling.Normal, "O", sampling.AQL1_0},
		{"letter S, past R", sampling.Normal, "S", sampling.AQL1_0},
		{"AQL 0.10, not offered", sampling.Normal, "K", 10},
		{"AQL 10, not offered", sampling.Normal, "K", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sampling.Lookup(tt.sev, tt.letter, tt.aql)
			assert.ErrorIs(t, err, sampling.ErrInput)
		})
	}
}
