module flannel-charm/test/emulator/jujuc

go 1.22
