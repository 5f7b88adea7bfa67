// The signed-in frame: skip link, top navigation, the user (a link to the account page) and sign-out.
import { NavLink, Outlet } from 'react-router';
import { useSession } from '../auth/session';

export function Layout() {
  const { user, logout } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" end>
          Atlas
        </NavLink>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end>
                Collections
              </NavLink>
            </li>
            <li>
              <NavLink to="/search">Search</NavLink>
            </li>
            <li>
              <NavLink to="/teams">Teams</NavLink>
            </li>
            <li>
              <NavLink to="/jobs">Jobs</NavLink>
            </li>
            <li>
              <NavLink to="/audit">Activity</NavLink>
            </li>
          </ul>
        </nav>
        <div className="user">
          {user && (
            <NavLink to="/account" className="user-name" title={`${user.email}: your account`}>
              {user.display_name}
            </NavLink>
          )}
          <button type="button" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
