module impactbench

go 1.22

require impactconversions v0.0.0

replace impactconversions => ../../bindings-ffi/go
