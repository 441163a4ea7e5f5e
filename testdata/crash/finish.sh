#!/bin/sh
cat > /dev/null
echo "finish" >> "${EFFECTS:-effects.log}"
printf '{"finished":true}\n'
