package main

import (
	"context"
	"fmt"

	"github.com/refurbqa/refurbqa/httpapi"
)

// cmdOpenAPI prints the OpenAPI document the server serves, so that linters and client
// generators can use it without a running server or a database.
func cmdOpenAPI(_ context.Context, e *env, args []string) error {
	fs := flagSet(e, "openapi",
		"Prints the OpenAPI 3.1 document of the HTTP API (the one served at /api/v1/openapi.json) on\nstandard output, for linters and client generators (redirect it to a file).")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	doc, err := httpapi.OpenAPIDocument()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", doc)
	return err
}
