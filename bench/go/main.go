// Go benchmark, one run against one emulator process (`make bench-go`): conversions per
// second through the Go package (sequential and 32 goroutines) next to a hand-written
// net/http client doing the same encoding (url.Values, strconv money) and checks nothing.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	impact "impactconversions"
)

const sid, token = "IRSANDBOX00000000000000000000001", "sandbox-auth-token"

func conversion(i int) impact.Conversion {
	return impact.Conversion{CampaignID: 1000, EventTypeID: 9876, EventDate: time.Date(2024, 8, 1, 23, 55, 24, 0, time.FixedZone("", -8*3600)),
		OrderID: fmt.Sprintf("G%d", i), ClickID: "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0", CurrencyCode: "USD", OrderDiscount: "15.00",
		Items: []impact.Item{{Sku: "1ABC2345", Quantity: 2, SubTotal: "28.00"}, {Sku: "9ZXY7654", Quantity: 3, SubTotal: "99.00"}}}
}

func handBody(i int) string {
	v := url.Values{}
	v.Set("CampaignId", "1000")
	v.Set("EventDate", "2024-08-01T23:55:24-08:00")
	v.Set("OrderId", fmt.Sprintf("H%d", i))
	v.Set("EventTypeId", "9876")
	v.Set("ClickId", "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0")
	v.Set("CurrencyCode", "USD")
	v.Set("OrderDiscount", strconv.FormatFloat(15, 'f', 2, 64))
	v.Set("ItemSku1", "1ABC2345")
	v.Set("ItemQuantity1", "2")
	v.Set("ItemSubTotal1", strconv.FormatFloat(28, 'f', 2, 64))
	v.Set("ItemSku2", "9ZXY7654")
	v.Set("ItemQuantity2", "3")
	v.Set("ItemSubTotal2", strconv.FormatFloat(99, 'f', 2, 64))
	return v.Encode()
}

func parallel(n, workers int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func main() {
	n := 3000
	cmd := exec.Command("../../target/release/impact-sandbox", "--port", "0", "--hourly-budget", "100000000")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	base := strings.TrimPrefix(strings.TrimSpace(line), "IMPACT_SANDBOX_URL=")

	// Events are still drained and decoded; only printing them is left out of the timing.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := impact.NewClient(impact.Config{AccountSID: sid, AuthToken: token, BaseURL: base}, impact.WithLogger(quiet))
	if err != nil {
		panic(err)
	}
	defer client.Close()
	hand := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	post := func(i int) {
		req, _ := http.NewRequest("POST", base+"/Advertisers/"+sid+"/Conversions", strings.NewReader(handBody(i)))
		req.SetBasicAuth(sid, token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := hand.Do(req)
		if err != nil || resp.StatusCode != 200 {
			panic(fmt.Sprint(err, resp))
		}
		resp.Body.Close()
	}
	submit := func(offset int) func(int) {
		return func(i int) {
			if _, err := client.Submit(context.Background(), conversion(offset+i)); err != nil {
				panic(err)
			}
		}
	}
	rate := func(label string, workers int, f func(int)) float64 {
		start := time.Now()
		parallel(n, workers, f)
		r := float64(n) / time.Since(start).Seconds()
		fmt.Printf("%-36s %8.0f conversions/s\n", label, r)
		return r
	}
	ours1 := rate("impact package, sequential", 1, submit(0))
	hand1 := rate("hand-written net/http, sequential", 1, post)
	ours32 := rate("impact package, 32 goroutines", 32, submit(n))
	hand32 := rate("hand-written net/http, 32 goroutines", 32, func(i int) { post(n + i) })
	fmt.Printf("ratio package/hand-written: sequential %.2f, 32 goroutines %.2f\n", ours1/hand1, ours32/hand32)
	os.Exit(0)
}
