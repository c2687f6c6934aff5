package main

import (
	_ "github.com/jhillyerd/enmime/v2"
	_ "lexheller/intake/parse"
)

func main() {}
