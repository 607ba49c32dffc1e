#!/bin/sh
# Installs cc-container-mng from this unpacked distribution onto a device (or into a staging root), or uninstalls it.
# See docs/operations.md. POSIX sh: runs under busybox ash as well as bash.
#
#   install.sh [--prefix DIR] [--destdir DIR] [--bindir DIR] [--unitdir DIR] [--no-enable]
#   install.sh --uninstall [--prefix DIR] [--destdir DIR] [--bindir DIR] [--unitdir DIR] [--purge]
#
# Install: the daemon under PREFIX (default /opt/cc-container-mng), links BINDIR/cc-containerd and BINDIR/containerctl
# (default /usr/bin), /etc/cc-container-mng.conf unless one exists (an existing one is never overwritten), bash
# completion, and the systemd units cc-containerd.service and cc-containerd-shutdown.service in UNITDIR (default
# /lib/systemd/system), enabled and started unless --no-enable or DESTDIR is given. Every file it installs is listed
# in PREFIX/share/cc-container-mng/installed-files; a reinstall removes what the new version no longer ships, and an
# uninstall removes exactly what is listed: a shared prefix (/usr/local) keeps everything else. Field upgrades
# (PREFIX/upgrades) are kept: the launcher ignores an upgrade older than the newly shipped bundle.
# Uninstall: stops and disables the units and removes the programs; containers, their data (working_path),
# /etc/cc-container-mng.conf and field upgrades stay. --purge removes those too: every managed container is removed
# through the running daemon first, then the manager's own files in the working path (nothing else there).
set -eu

prefix=/opt/cc-container-mng
destdir=${DESTDIR:-}
bindir=/usr/bin
unitdir=/lib/systemd/system
completiondir=/usr/share/bash-completion/completions
conf=/etc/cc-container-mng.conf
mode=install
enable=yes
purge=no

die() {
	echo "install.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
		--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
		--destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; destdir=$2; shift 2 ;;
		--bindir) [ $# -ge 2 ] || die "--bindir needs a directory"; bindir=$2; shift 2 ;;
		--unitdir) [ $# -ge 2 ] || die "--unitdir needs a directory"; unitdir=$2; shift 2 ;;
		--no-enable) enable=no; shift ;;
		--uninstall) mode=uninstall; shift ;;
		--purge) purge=yes; shift ;;
		-h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "unknown option \"$1\" (install.sh --help lists the options)" ;;
	esac
done
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path, not \"$prefix\"" ;; esac
case "$bindir" in /*) ;; *) die "--bindir must be an absolute path, not \"$bindir\"" ;; esac
case "$unitdir" in /*) ;; *) die "--unitdir must be an absolute path, not \"$unitdir\"" ;; esac
[ "$prefix" != / ] || die "--prefix / would mix the manager's files with the system's; give it a folder of its own"
[ "$purge" = no ] || [ "$mode" = uninstall ] || die "--purge goes with --uninstall"
if [ -n "$destdir" ]; then
	destdir=$(mkdir -p "$destdir" && cd "$destdir" && pwd)
	enable=no # a staging root is not the running system
fi
prefix=${prefix%/}

src=$(cd "$(dirname "$0")" && pwd)
root=$destdir$prefix
# What the distribution ships under the prefix. Everything it installs is listed in $manifest (paths as on the
# device, one a line); nothing else under the prefix is ever removed, but the manager's own data named below.
shipped="bin conf lib bundle shell console share install.sh"
manifest_rel=share/cc-container-mng/installed-files
manifest=$root/$manifest_rel
units="cc-containerd.service cc-containerd-shutdown.service"
systemd_running() {
	[ -z "$destdir" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

# Removes the files a list names (paths as on the device), then the folders under the prefix that this emptied.
remove_listed() { # list-file
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		if [ -e "$destdir$f" ] || [ -L "$destdir$f" ]; then rm -f "$destdir$f"; fi
	done < "$1"
	while IFS= read -r f; do
		case "$f" in "$prefix"/*) ;; *) continue ;; esac
		d=$(dirname "$f")
		while [ "$d" != "$prefix" ] && [ "$d" != / ] && rmdir "$destdir$d" 2>/dev/null; do d=$(dirname "$d"); done
	done < "$1"
}

if [ "$mode" = install ]; then
	[ -x "$src/bin/cc-containerd" ] && [ -d "$src/bundle" ] || die "$src is not an unpacked cc-container-mng distribution"
	[ "$src" != "$root" ] || die "the distribution is already at $root; unpack it elsewhere to install it"
	mkdir -p "$root"
	new_list=$(mktemp "${TMPDIR:-/tmp}/cc-install.XXXXXX")
	old_list=$(mktemp "${TMPDIR:-/tmp}/cc-install.XXXXXX")
	trap 'rm -f "$new_list" "$new_list.rel" "$old_list"' EXIT
	if [ -f "$manifest" ]; then
		sort "$manifest" > "$old_list"
	elif [ -f "$root/install.sh" ] && [ -d "$root/bundle" ]; then
		# Installed by an install.sh that kept no list: it owned these folders whole.
		{
			for d in $shipped; do [ -e "$root/$d" ] && find "$root/$d" \( -type f -o -type l \) -print; done | sed "s#^$destdir##"
			printf '%s\n' "$bindir/cc-containerd" "$bindir/containerctl" "$completiondir/containerctl" "$unitdir/cc-containerd.service" \
				"$unitdir/cc-containerd-shutdown.service"
		} | sort > "$old_list"
	fi
	# Every shipped file is written beside its place first; then all are renamed into place in one quick pass, so
	# that an interrupted install leaves the previous version whole (or, at worst, run install.sh again).
	(cd "$src" && for d in $shipped; do [ -e "$d" ] && find "$d" \( -type f -o -type l \) -print; done) | sort > "$new_list.rel"
	# Never over another package's file: everything in the way must be one this script installed before.
	while IFS= read -r rel; do
		if [ -e "$root/$rel" ] || [ -L "$root/$rel" ]; then
			grep -qxF "$prefix/$rel" "$old_list" || die "$prefix/$rel is there already and was not installed by install.sh; give the manager a --prefix of its own"
		fi
	done < "$new_list.rel"
	for f in "$bindir/cc-containerd" "$bindir/containerctl" "$completiondir/containerctl" "$unitdir/cc-containerd.service" "$unitdir/cc-containerd-shutdown.service"; do
		if [ -e "$destdir$f" ] || [ -L "$destdir$f" ]; then
			grep -qxF "$f" "$old_list" || die "$f is there already and was not installed by install.sh; remove it or give other --bindir/--unitdir"
		fi
	done
	# An integrator's JVM options survive a reinstall: the file is kept when it is not the one the last install shipped
	# (conf/jvm.options.shipped records that; an install before that record kept any file that differed).
	kept_jvm=no
	if [ -f "$root/conf/jvm.options" ] && ! cmp -s "$root/conf/jvm.options" "$src/conf/jvm.options" \
		&& ! cmp -s "$root/conf/jvm.options" "$root/conf/jvm.options.shipped"; then
		kept_jvm=yes
	fi
	while IFS= read -r rel; do
		[ "$rel" = conf/jvm.options ] && [ "$kept_jvm" = yes ] && continue
		mkdir -p "$(dirname "$root/$rel")"
		rm -f "$root/$rel.tmp-install"
		cp -P -p "$src/$rel" "$root/$rel.tmp-install"
	done < "$new_list.rel"
	while IFS= read -r rel; do
		[ "$rel" = conf/jvm.options ] && [ "$kept_jvm" = yes ] && continue
		mv -f "$root/$rel.tmp-install" "$root/$rel"
	done < "$new_list.rel"
	cp "$src/conf/jvm.options" "$root/conf/jvm.options.shipped.tmp-install"
	mv -f "$root/conf/jvm.options.shipped.tmp-install" "$root/conf/jvm.options.shipped"
	echo "conf/jvm.options.shipped" >> "$new_list.rel"
	if [ "$kept_jvm" = yes ]; then
		echo "kept the edited $prefix/conf/jvm.options; the shipped one is $prefix/conf/jvm.options.shipped"
	fi
	chmod 755 "$root/bin/cc-containerd" "$root/bin/containerctl" "$root/install.sh"
	native="$root/lib/ctl/containerctl-native"
	if [ -f "$native" ]; then
		chmod 755 "$native"
		# Built for the build machine: on a device of another architecture it cannot run, and containerctl uses the JVM.
		if [ -z "$destdir" ] && ! "$native" --native-check >/dev/null 2>&1; then
			chmod 644 "$native"
			echo "the native containerctl does not run on this machine (built for another architecture?): containerctl uses the JVM"
		fi
	fi
	if [ -z "$destdir" ] && { command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ]; }; then
		# containerctl's class archive, for this device's JVM: the client starts in about half the time.
		CC_CTL_MAKE_ARCHIVE=1 "$root/bin/containerctl" --socket /nonexistent/socket list >/dev/null 2>&1 || true
	fi
	sed "s#^#$prefix/#" "$new_list.rel" > "$new_list"
	rm -f "$new_list.rel"

	link() { # target link
		mkdir -p "$(dirname "$destdir$2")"
		ln -sfn "$1" "$destdir$2.tmp-install"
		mv -f "$destdir$2.tmp-install" "$destdir$2"
		echo "$2" >> "$new_list"
	}
	link "$prefix/bin/cc-containerd" "$bindir/cc-containerd"
	link "$prefix/bin/containerctl" "$bindir/containerctl"
	if [ -e "$destdir$conf" ]; then
		echo "kept the existing $conf; the shipped default is $prefix/conf/cc-container-mng.conf"
	else
		mkdir -p "$(dirname "$destdir$conf")"
		cp "$src/conf/cc-container-mng.conf" "$destdir$conf.tmp-install"
		chmod 644 "$destdir$conf.tmp-install"
		mv -f "$destdir$conf.tmp-install" "$destdir$conf"
	fi
	mkdir -p "$destdir$completiondir" "$destdir$unitdir"
	cp "$src/share/bash-completion/containerctl" "$destdir$completiondir/containerctl.tmp-install"
	chmod 644 "$destdir$completiondir/containerctl.tmp-install"
	mv -f "$destdir$completiondir/containerctl.tmp-install" "$destdir$completiondir/containerctl"
	echo "$completiondir/containerctl" >> "$new_list"
	for u in $units; do
		sed -e "s#@BINDIR@#$bindir#g" -e "s#@PREFIX@#$prefix#g" -e "s#@CONF@#$conf#g" "$src/share/systemd/$u" > "$destdir$unitdir/$u.tmp-install"
		chmod 644 "$destdir$unitdir/$u.tmp-install"
		mv -f "$destdir$unitdir/$u.tmp-install" "$destdir$unitdir/$u"
		echo "$unitdir/$u" >> "$new_list"
	done
	echo "$prefix/$manifest_rel" >> "$new_list"
	# What the previous version installed and this one does not ship goes (a dropped jar must not be loaded).
	stale=$(mktemp "${TMPDIR:-/tmp}/cc-install.XXXXXX")
	sort "$new_list" > "$stale.new"
	comm -23 "$old_list" "$stale.new" > "$stale"
	remove_listed "$stale"
	rm -f "$stale" "$stale.new"
	mkdir -p "$(dirname "$manifest")"
	cp "$new_list" "$manifest.tmp-install"
	mv -f "$manifest.tmp-install" "$manifest"
	echo "installed cc-container-mng in $root"
	if [ -z "$destdir" ] && { command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ]; }; then
		# The daemon's class archive, made by starting it once on a throw-away configuration: its supervisor is up about
		# 0.3 s sooner. (Into a staging root, the service makes it at its first start on the device.)
		"$root/bin/cc-containerd" --make-class-archive || true
	fi
	if [ "$enable" = yes ] && systemd_running; then
		systemctl daemon-reload
		systemctl enable cc-containerd-shutdown.service cc-containerd.service
		# A running daemon is restarted into the new version; its containers keep running (KillMode=process).
		# The shutdown unit is only started: stopping it (a restart would) stops every container.
		systemctl start cc-containerd-shutdown.service
		systemctl restart cc-containerd.service
		echo "cc-containerd is enabled and running (systemctl status cc-containerd)"
	elif [ "$enable" = yes ]; then
		echo "systemd is not running here: start $bindir/cc-containerd --config-file $conf by other means"
	fi
	command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] || echo "note: no java on the PATH; cc-containerd needs a Java 17 or newer runtime (JAVA_HOME or PATH)"
	exit 0
fi

# ---------------------------------------------------------------- uninstall
[ -f "$manifest" ] || die "$root holds no cc-container-mng installed by install.sh (no $prefix/$manifest_rel)"
if [ "$purge" = yes ]; then
	ctl="$root/bin/containerctl"
	if ! listing=$("$ctl" --config-file "$destdir$conf" list 2>/dev/null); then
		die "--purge removes every managed container through the daemon, which is not running; start it (systemctl start cc-containerd), or uninstall without --purge"
	fi
	ids=$(printf '%s\n' "$listing" | awk 'NR > 1 { print $1 }')
	for id in $ids; do
		"$ctl" --config-file "$destdir$conf" remove "$id" || die "could not remove container $id; nothing more was removed"
	done
	work=$(sed -n 's/.*"working_path"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$destdir$conf" | head -n 1)
	[ -n "$work" ] || work=/root/cc-container
	case "$work" in /*) ;; *) work=$(dirname "$conf")/$work ;; esac # relative to the configuration's folder, as the daemon reads it
fi
if systemd_running; then
	# The daemon stops; its containers keep running (KillMode=process). The shutdown unit is disabled but not
	# stopped, since stopping it stops every container; it is gone after the next boot.
	systemctl disable --now cc-containerd.service 2>/dev/null || true
	systemctl disable cc-containerd-shutdown.service 2>/dev/null || true
fi
# The daemon's class archive: the manager's own, made at install or by the service.
rm -f "$root/lib/cc-containerd.jsa" "$root/lib/cc-containerd.jsa.id" "$root/lib/cc-containerd.jsa.tmp" "$root/lib/cc-containerd.jsa.id.tmp"
listed=$(mktemp "${TMPDIR:-/tmp}/cc-install.XXXXXX")
cp "$manifest" "$listed"
remove_listed "$listed"
rm -f "$listed"
if systemd_running; then systemctl daemon-reload; fi
# The daemon's bundle cache: the manager's own, rebuilt at every start.
rm -rf "$root/felix-cache"
rm -f "$root/felix-cache.lock"
if [ "$purge" = yes ]; then
	rm -rf "$root/upgrades"
	case "$work" in
		/*) # Only what the manager keeps there: the working path may be shared with other data.
			for own in cc-containers.conf state.json installed staging run logs remote; do
				rm -rf "${destdir}${work:?}/$own"
			done
			rmdir "$destdir$work" 2>/dev/null || true ;;
	esac
	rm -f "$destdir$conf"
	echo "purged cc-container-mng: its containers, its files in $root and $work, and $conf are gone"
else
	echo "uninstalled cc-container-mng from $root; containers, their data, $conf and field upgrades stay (--purge removes them)"
fi
rmdir "$root" 2>/dev/null || true
