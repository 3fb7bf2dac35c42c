package redistier_test

import (
	"context"
	"net"

	"github.com/redis/go-redis/v9"
)

// cmdHook is a go-redis hook that calls before/after around every command
// (and every command of a pipeline, before it is sent / after it returns).
type cmdHook struct {
	before func(ctx context.Context, cmd redis.Cmder)
	after  func(ctx context.Context, cmd redis.Cmder)
}

func (h *cmdHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (h *cmdHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.before != nil {
			h.before(ctx, cmd)
		}
		err := next(ctx, cmd)
		if h.after != nil {
			h.after(ctx, cmd)
		}
		return err
	}
}

func (h *cmdHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			if h.before != nil {
				h.before(ctx, c)
			}
		}
		err := next(ctx, cmds)
		for _, c := range cmds {
			if h.after != nil {
				h.after(ctx, c)
			}
		}
		return err
	}
}

func cmdName(cmd redis.Cmder) string { return cmd.Name() }
