module impactconversions

go 1.22
