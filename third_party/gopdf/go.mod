module github.com/signintech/gopdf

go 1.26.0

require (
	github.com/phpdave11/gofpdi v1.0.14-0.20211212211723-1f10f9844311
	golang.org/x/image v0.47.0
)

require github.com/pkg/errors v0.8.1 // indirect
