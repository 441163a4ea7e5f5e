#!/bin/sh
in=$(cat)
printf "{\"got\":%s}\n" "$in"
