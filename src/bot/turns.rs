//! One chat's updates are handled one after another, in the order they
//! came (a report, then its correction); different chats' at once.
//!
//! teloxide can keep a chat's updates in order by giving each chat (or
//! each group of chats) a worker with its own queue, but every queue holds
//! room for 32 updates, idle or not. Instead every update waits for its
//! chat's [`Turn`] (a map entry that exists only while the chat has an
//! update in hand), then is handled in a task of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::OwnedMutexGuard;

type ChatLock = Arc<tokio::sync::Mutex<()>>;

/// Whose turn it is, per chat.
#[derive(Clone, Debug, Default)]
pub struct Turns(Arc<Mutex<HashMap<i64, ChatLock>>>);

/// The right to handle an update of a chat; the next update of that chat
/// waits until this is dropped.
#[derive(Debug)]
pub struct Turn {
    turns: Turns,
    chat: i64,
    lock: ChatLock,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Turns {
    fn map(&self) -> MutexGuard<'_, HashMap<i64, ChatLock>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `chat`'s earlier updates are handled. Turns go in the
    /// order of the calls' first polls (tokio's mutex is fair), so a
    /// handler takes its turn before its first other await.
    pub async fn take(&self, chat: i64) -> Turn {
        let lock = Arc::clone(self.map().entry(chat).or_default());
        let guard = Arc::clone(&lock).lock_owned().await;
        Turn {
            turns: self.clone(),
            chat,
            lock,
            guard: Some(guard),
        }
    }

    /// Chats with an update in hand.
    #[cfg(test)]
    fn chats(&self) -> usize {
        self.map().len()
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut map = self.turns.map();
        // Only the map's copy and ours: no later update of this chat waits.
        if Arc::strong_count(&self.lock) == 2 {
            map.remove(&self.chat);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use futures::stream::{self, FuturesUnordered};

    /// As teloxide's dispatcher runs handlers: pushed in order into one
    /// `for_each_concurrent`, each yielding a few times while it holds its
    /// turn.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_chat_in_order_and_the_map_empties() {
        let turns = Turns::default();
        let seen: Arc<Mutex<Vec<(i64, usize)>>> = Arc::default();
        let updates: Vec<(i64, usize)> = (0..600).map(|i| ((i * 7 % 5) as i64, i)).collect();
        stream::iter(updates.clone())
            .for_each_concurrent(None, |(chat, i)| {
                let turns = turns.clone();
                let seen = Arc::clone(&seen);
                async move {
                    let _turn = turns.take(chat).await;
                    for _ in 0..(i % 4) {
                        tokio::task::yield_now().await;
                    }
                    seen.lock().expect("seen").push((chat, i));
                }
            })
            .await;
        let seen = seen.lock().expect("seen").clone();
        assert_eq!(seen.len(), updates.len());
        for chat in 0..5 {
            let order: Vec<usize> = seen.iter().filter(|s| s.0 == chat).map(|s| s.1).collect();
            let sent: Vec<usize> = updates
                .iter()
                .filter(|u| u.0 == chat)
                .map(|u| u.1)
                .collect();
            assert_eq!(order, sent, "chat {chat}");
        }
        assert_eq!(turns.chats(), 0, "no chat left in the map");
    }

    /// Different chats do not wait for each other.
    #[tokio::test]
    async fn another_chat_goes_while_one_waits() {
        let turns = Turns::default();
        let first = turns.take(1).await;
        let mut waiting: FuturesUnordered<_> = [turns.take(1)].into_iter().collect();
        // Chat 1's second update waits; chat 2 gets its turn at once.
        assert!(futures::poll!(waiting.next()).is_pending());
        let other = turns.take(2).await;
        assert_eq!(turns.chats(), 2);
        drop(other);
        drop(first);
        let second = waiting.next().await.expect("second turn");
        assert_eq!(turns.chats(), 1);
        drop(second);
        assert_eq!(turns.chats(), 0);
    }
}
