#!/bin/sh
# A small stand-in build: stdout, stderr, colours and a progress bar.
printf '\033[1mBuilding demo\033[0m\n'
for i in 1 2 3 4 5; do
  printf 'compiling unit %d of 5\n' "$i"
  sleep 0.3
done
printf '\033[33mwarning:\033[0m unused variable x\n' >&2
for p in 10 40 70 100; do printf 'linking %3d%%\r' "$p"; sleep 0.2; done
printf '\n\033[32mok\033[0m: build finished\n'
