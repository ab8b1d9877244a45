#!/bin/sh
flask --app bad_literal run -h 0.0.0.0 -p 8000
