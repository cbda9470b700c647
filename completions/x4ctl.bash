# SPDX-License-Identifier: MIT
# bash completion for x4ctl (x4ctl(8)); install as /usr/share/bash-completion/completions/x4ctl.
# The VFs of the N100's iGPU, from the kernel's virtfn links.
_x4ctl_vfs()
{
	local l
	for l in /sys/bus/pci/devices/0000:00:02.0/virtfn*; do
		[ -e "$l" ] && basename "$(readlink "$l")"
	done
}

_x4ctl()
{
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--root|--config) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	--root|--from|--templates) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--config|--xml|--efi|--out|--disk|--iso|--emulator) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--vf) COMPREPLY=($(compgen -W "auto $(_x4ctl_vfs)" -- "$cur")); return ;;
	--name|--memory|--cpus|--uri|--vendor|--device) return ;;
	esac
	case $cmd in
	"") COMPREPLY=($(compgen -W "doctor status vf lg-size rom install uninstall define lg --root --config --help --version" -- "$cur")) ;;
	doctor) COMPREPLY=($(compgen -W "--json --report --xml --uri --help" -- "$cur")) ;;
	status) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
	vf)
		if [ "$prev" = vf ]; then
			COMPREPLY=($(compgen -W "create remove bind unbind repair --help" -- "$cur"))
		elif [ "$prev" = bind ] || [ "$prev" = unbind ]; then
			COMPREPLY=($(compgen -W "$(_x4ctl_vfs)" -- "$cur"))
		fi ;;
	lg)
		if [ "$prev" = lg ]; then
			COMPREPLY=($(compgen -W "status apply forget build-module --help" -- "$cur"))
		elif [ "$prev" = --file ]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		else
			case ${COMP_WORDS[i+1]} in
			apply) COMPREPLY=($(compgen -W "--dry-run --reload --help" -- "$cur")) ;;
			forget) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
			build-module)
				[ "$prev" = --kernel ] && return
				COMPREPLY=($(compgen -d -W "--kernel --dry-run --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--file --json --watch --no-client --help" -- "$cur")) ;;
			esac
		fi ;;
	lg-size) COMPREPLY=($(compgen -W "1920x1080 2560x1440 3840x2160 --hdr --help" -- "$cur")) ;;
	rom)
		if [ "$prev" = rom ]; then
			COMPREPLY=($(compgen -W "check build extract --help" -- "$cur"))
		elif [ "$prev" = check ]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		elif [ "${COMP_WORDS[i+1]}" = extract ]; then
			case $prev in --guid|--pick) return ;; esac
			COMPREPLY=($(compgen -f -W "--from-flash --out --optionrom --device --pick --json --guid --name --list --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--efi --out --vendor --device --help" -- "$cur"))
		fi ;;
	install) COMPREPLY=($(compgen -W "--packaged --dry-run --root --from --templates --help" -- "$cur")) ;;
	uninstall) COMPREPLY=($(compgen -W "--packaged --root --help" -- "$cur")) ;;
	define)
		case "$prev" in
		--virtio-win) COMPREPLY=($(compgen -f -- "$cur")) ;;
		--phase) COMPREPLY=($(compgen -W "install run" -- "$cur")) ;;
		--disk-size) ;;
		--virt-type) COMPREPLY=($(compgen -W "kvm qemu" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "--name --phase --iso --virtio-win --disk --disk-size --reuse-disk --memory --cpus --vf --virt-type --emulator --templates --uri --xml --print --help" -- "$cur")) ;;
		esac ;;
	esac
}
complete -F _x4ctl x4ctl
