#!/usr/bin/env bash
# Builds the distribution from target/odoo-ops.jar (run by `mvn package`, maven-antrun-plugin, after the shade):
#   target/odoo-ops-<version>.tar.gz   odoo-ops-<version>/{bin/odoo-ops, lib/odoo-ops.jar, config/, docs/, systemd/}
#   target/odoo-ops_<version>_all.deb  /usr/bin/odoo-ops, /usr/share/odoo-ops, /etc/odoo-ops (conffiles),
#                                      odoo-ops.service; postinst makes the odoo-ops user and /var/lib/odoo-ops
# The Debian version is the Maven one with '-' as '~' (0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT, older than 0.1.0).
# Needs tar, gzip and dpkg-deb (Debian's dpkg, in every Debian/Ubuntu base system); a missing one fails the build.
# Usage: src/dist/build.sh <project dir> <version>
set -euo pipefail
umask 022
base="$(cd "$1" && pwd)"
version="$2"
dist="$base/src/dist"
target="$base/target"
jar="$target/odoo-ops.jar"

for tool in tar gzip dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "src/dist/build.sh: $tool not found: it builds the distribution (apt install dpkg tar gzip)" >&2; exit 1; }
done
[[ -f "$jar" ]] || { echo "src/dist/build.sh: $jar not found (the shade step makes it)" >&2; exit 1; }
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "src/dist/build.sh: version '$version' is not a Debian upstream version" >&2; exit 1; }
deb_version="${version//-/\~}"

# application.properties = the checkout's, with the keys of <overlay> written over its lines (each must be there)
configure() {
  local overlay="$1" out="$2" header="$3" key value   # $4: what the home is, for the file's own header
  cp "$base/config/application.properties" "$out"
  while IFS='=' read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    grep -qE "^#? ?${key//./\\.}=" "$out" || { echo "src/dist/build.sh: $overlay: key $key is not in config/application.properties" >&2; exit 1; }
    sed -i -E "s|^#? ?${key//./\\.}=.*|${key}=${value}|" "$out"
  done < "$overlay"
  sed -i -e "s|(this repository)|($4)|" -e "1i # $header" "$out"
}

docs() {  # the operator documentation: README and docs/ (not the CI examples' own tree)
  local to="$1"
  mkdir -p "$to"
  cp "$base/README.md" "$to/"
  find "$base/docs" -maxdepth 1 -type f \( -name '*.md' -o -name '*.yml' \) -exec cp {} "$to/" \;
  [[ -d "$base/docs/examples" ]] && cp -r "$base/docs/examples" "$to/"
  return 0
}

work="$target/dist"
rm -rf "$work"
rm -f "$target"/odoo-ops-*.tar.gz "$target"/odoo-ops_*_all.deb   # one version in target/, the one just built

# --- the tarball ---
name="odoo-ops-$version"
t="$work/tar/$name"
mkdir -p "$t/bin" "$t/lib" "$t/config"
install -m 0755 "$dist/bin/odoo-ops" "$t/bin/odoo-ops"
ln -f "$jar" "$t/lib/odoo-ops.jar" 2>/dev/null || install -m 0644 "$jar" "$t/lib/odoo-ops.jar"   # a link: no 80 MB copy
configure "$dist/config/tarball.properties" "$t/config/application.properties" \
  "odoo-ops $version (tarball): relative paths resolve against the unpacked directory; what it writes goes under var/" \
  "the unpacked directory"
install -m 0644 "$base/config/environments.example.yaml" "$t/config/"
docs "$t/docs"
mkdir -p "$t/systemd"   # the package's unit, to adapt (ExecStart, User, ODOO_OPS_CONFIG): docs/install.md
install -m 0644 "$dist/deb/odoo-ops.service" "$t/systemd/odoo-ops.service"
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -1 -n > "$target/$name.tar.gz"

# --- the Debian package ---
r="$work/deb/root"
mkdir -p "$r/DEBIAN" "$r/usr/bin" "$r/usr/share/odoo-ops/bin" "$r/usr/share/odoo-ops/lib" "$r/etc/odoo-ops" \
  "$r/usr/lib/systemd/system" "$r/usr/share/doc/odoo-ops"
install -m 0755 "$dist/bin/odoo-ops" "$r/usr/share/odoo-ops/bin/odoo-ops"
ln -s ../share/odoo-ops/bin/odoo-ops "$r/usr/bin/odoo-ops"
ln -f "$jar" "$r/usr/share/odoo-ops/lib/odoo-ops.jar" 2>/dev/null || install -m 0644 "$jar" "$r/usr/share/odoo-ops/lib/odoo-ops.jar"
docs "$r/usr/share/odoo-ops/docs"
configure "$dist/config/package.properties" "$r/etc/odoo-ops/application.properties" \
  "odoo-ops $version (Debian package): configuration in /etc/odoo-ops, evidence and work files under /var/lib/odoo-ops" \
  "/usr/share/odoo-ops"
install -m 0644 "$base/config/environments.example.yaml" "$r/etc/odoo-ops/"
install -m 0644 "$dist/deb/odoo-ops.service" "$r/usr/lib/systemd/system/odoo-ops.service"
printf 'odoo-ops %s\nSee /usr/share/odoo-ops/docs/README.md.\n' "$version" > "$r/usr/share/doc/odoo-ops/README"
chmod 0644 "$r/usr/share/doc/odoo-ops/README"
printf '/etc/odoo-ops/application.properties\n/etc/odoo-ops/environments.example.yaml\n' > "$r/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "$dist/deb/$script" "$r/DEBIAN/$script"; done
size="$(du -sk --exclude=DEBIAN "$r" | cut -f1)"
sed -e "s/@DEB_VERSION@/$deb_version/" -e "s/@INSTALLED_SIZE@/$size/" "$dist/deb/control.in" > "$r/DEBIAN/control"
chmod 0644 "$jar"
chmod -R go-w "$r"
deb="$target/odoo-ops_${deb_version}_all.deb"
# -Znone: the jar is compressed already (gzip would win 10 % for seconds of CPU); every dpkg reads it
dpkg-deb --root-owner-group -Znone --build "$r" "$deb" >/dev/null
echo "src/dist/build.sh: $target/$name.tar.gz, $deb"
