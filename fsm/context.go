package fsm

import (
	"context"
	"fmt"
	"unsafe"
)

// holdKey is the context key that marks the contexts a machine gives to its
// conditions and handlers. Every machine has its own (a field of the
// machine), so a nested transition of another machine is not mistaken for a
// reentrant one. It is not zero-sized: pointers to distinct zero-sized
// variables may compare equal.
type holdKey struct{ _ byte }

// heldCtx is the context conditions and handlers receive: the caller's
// context, marked as "inside a transition of this machine".
//
// A heldCtx is immutable once made, so code that keeps it past its call (a
// goroutine started by an enter handler) sees a valid context. The machine
// keeps the last one it made and reuses it while callers pass the same
// context: a transition with a long-lived context (context.Background, a
// service's context) allocates nothing.
type heldCtx struct {
	context.Context
	key *holdKey
}

// Value returns the heldCtx itself for its machine's key, and defers to the
// caller's context for every other key (context.WithCancel and friends find
// the parent's cancellation through it, so deriving from a heldCtx starts no
// goroutine).
func (c *heldCtx) Value(key any) any {
	if k, ok := key.(*holdKey); ok && k == c.key {
		return c
	}
	return c.Context.Value(key)
}

// String names the context for debugging, like the standard contexts do.
func (c *heldCtx) String() string {
	if s, ok := c.Context.(fmt.Stringer); ok {
		return s.String() + ".WithFSMTransition"
	}
	return "fsm.transitionContext"
}

// sameContext reports whether a and b are the same context value: the same
// dynamic type and the same data word. Unlike a == b it never panics, even
// when the dynamic type is not comparable; it may say false for two equal
// values that are boxed separately, which only costs the reuse of a heldCtx.
// It never says true for different values: the data word is the pointer
// itself or points to an immutable box, and a (the context of the machine's
// last heldCtx) keeps that pointer's target alive, so its address cannot be
// reused by another value.
func sameContext(a, b context.Context) bool {
	type iface struct{ tab, data unsafe.Pointer }
	return *(*iface)(unsafe.Pointer(&a)) == *(*iface)(unsafe.Pointer(&b))
}

// Detach returns a context with the values, deadline and cancellation of
// ctx, but without the marks that make [Machine.Transition] return
// [ErrReentrant]. Give it to a goroutine that a condition or a handler
// starts and that drives the machine: with the handler's ctx itself, such a
// goroutine cannot be told apart from a nested call whenever it calls while
// a transition made with the same caller ctx holds the machine (the one that
// started it, or a later one: the marked context is reused per caller ctx).
// Then its Transition returns ErrReentrant, and its [Machine.Can] does not
// wait and evaluates conditions while that transition runs. With
// Detach(ctx) it waits for the machine like any caller.
// Never use a detached context for a call the handler itself waits for:
// that call would wait for the transition that waits for it.
func Detach(ctx context.Context) context.Context {
	return detachedCtx{ctx}
}

type detachedCtx struct{ context.Context }

func (c detachedCtx) Value(key any) any {
	if _, ok := key.(*holdKey); ok {
		return nil
	}
	return c.Context.Value(key)
}

func (c detachedCtx) String() string {
	if s, ok := c.Context.(fmt.Stringer); ok {
		return s.String() + ".FSMDetach"
	}
	return "fsm.detachedContext"
}
